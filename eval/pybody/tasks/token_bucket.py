"""Rate limiting for the public API."""

import time


class TokenBucket:
    def __init__(self, rate: float, capacity: int, clock=time.monotonic):
        self.rate = rate
        self.capacity = capacity
        self.tokens = float(capacity)
        self.clock = clock
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def try_acquire(self, n: int = 1) -> bool:
        """Take n tokens and return True if that many are available; otherwise take
        nothing and return False."""
        self._refill()
        # <<<
        if self.tokens >= n:
            self.tokens -= n
            return True
        return False
        # >>>
