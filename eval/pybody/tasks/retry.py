"""Retrying flaky network calls."""

import functools
import time


def retry(times: int, exceptions: tuple = (Exception,), delay: float = 0.0, sleep=time.sleep):
    """Decorator: call the function up to `times` times, sleeping `delay` seconds after
    each failure with one of `exceptions`; when the last attempt fails its error is
    re-raised. Other exceptions propagate at once."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, times + 1):
                # <<<
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == times:
                        raise
                # >>>
                sleep(delay)
        return wrapper
    return decorator
