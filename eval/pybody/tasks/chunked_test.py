from chunked import chunked, insert_all

assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
assert list(chunked([], 4)) == []
assert list(chunked("abcd", 2)) == [["a", "b"], ["c", "d"]]
try:
    list(chunked([1], 0))
except ValueError:
    pass
else:
    raise AssertionError("size 0 accepted")


class FakeDB:
    def __init__(self):
        self.calls = []

    def insert_many(self, batch):
        self.calls.append(list(batch))


db = FakeDB()
assert insert_all(db, ({"i": i} for i in range(250)), 100) == 250
assert [len(c) for c in db.calls] == [100, 100, 50]
