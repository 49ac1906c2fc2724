from task_queue import TaskQueue

q = TaskQueue()
q.push("low", 5)
q.push("urgent", 0)
q.push({"not": "comparable"}, 5)
q.push("also urgent", 0)
assert q.pop() == "urgent"
assert q.pop() == "also urgent"
assert q.pop() == "low"
assert q.pop() == {"not": "comparable"}
assert len(q) == 0
try:
    q.pop()
except IndexError:
    pass
else:
    raise AssertionError("pop from empty queue")
