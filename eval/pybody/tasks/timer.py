"""Timing the stages of the import job."""

import time


class Timer:
    """A context manager measuring elapsed seconds; lap() records split times."""

    def __init__(self, clock=time.perf_counter):
        self.clock = clock
        self.start: float | None = None
        self.elapsed = 0.0
        self.laps: list[float] = []

    def __enter__(self) -> "Timer":
        self.start = self.clock()
        return self

    def lap(self) -> float:
        """Record in self.laps and return the time since the start or since the previous lap."""
        # <<<
        now = self.clock()
        previous = self.start + sum(self.laps)
        self.laps.append(now - previous)
        return self.laps[-1]
        # >>>

    def __exit__(self, *exc) -> bool:
        self.elapsed = self.clock() - self.start
        return False
