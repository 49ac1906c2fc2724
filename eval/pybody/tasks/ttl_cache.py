"""A small expiring cache for API lookups."""

import time


class TTLCache:
    def __init__(self, ttl: float, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._store: dict = {}

    def set(self, key, value) -> None:
        self._store[key] = (value, self.clock() + self.ttl)

    def get(self, key, default=None):
        """The value for key unless it is missing or expired; expired entries are dropped."""
        entry = self._store.get(key)
        if entry is None:
            return default
        value, expires = entry
        if self.clock() >= expires:
            # <<<
            del self._store[key]
            # >>>
            return default
        return value

    def __len__(self) -> int:
        return len(self._store)
