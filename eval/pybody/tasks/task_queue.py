"""Background jobs, most urgent first."""

import heapq
import itertools


class TaskQueue:
    """Tasks come out by priority (lowest number first), then in insertion order."""

    def __init__(self):
        self._heap: list = []
        self._counter = itertools.count()

    def push(self, task, priority: int = 0) -> None:
        heapq.heappush(self._heap, (priority, next(self._counter), task))

    def pop(self):
        """Remove and return the next task; raise IndexError when the queue is empty."""
        # <<<
        if not self._heap:
            raise IndexError("pop from an empty TaskQueue")
        _, _, task = heapq.heappop(self._heap)
        return task
        # >>>

    def __len__(self) -> int:
        return len(self._heap)
