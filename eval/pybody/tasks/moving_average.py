"""Smoothing for sensor series."""

from collections import deque
from typing import Iterable, Iterator


def moving_average(values: Iterable[float], window: int) -> Iterator[float]:
    """Yield the mean of each full window of `window` consecutive values."""
    buf: deque[float] = deque(maxlen=window)
    total = 0.0
    for v in values:
        if len(buf) == window:
            total -= buf[0]
        buf.append(v)
        total += v
        if len(buf) == window:
            # <<<
            yield total / window
            # >>>


def smooth(series: list[float], window: int = 3) -> list[float]:
    return [round(x, 3) for x in moving_average(series, window)]
