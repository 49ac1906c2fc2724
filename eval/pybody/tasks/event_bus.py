"""In-process notifications between the app's components."""

from collections import defaultdict
from typing import Callable


class EventBus:
    def __init__(self):
        self._handlers: dict[str, list[Callable]] = defaultdict(list)
        self.errors: list[Exception] = []

    def subscribe(self, event: str, handler: Callable) -> Callable[[], None]:
        """Register handler; return a function that unsubscribes it."""
        self._handlers[event].append(handler)
        return lambda: self._handlers[event].remove(handler)

    def publish(self, event: str, *args) -> list:
        """Call every handler of event with args, in subscription order, and return their
        results. A handler that raises is skipped and its exception appended to self.errors."""
        results = []
        for handler in list(self._handlers.get(event, [])):
            # <<<
            try:
                results.append(handler(*args))
            except Exception as exc:
                self.errors.append(exc)
            # >>>
        return results
