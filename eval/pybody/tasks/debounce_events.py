"""Thinning out repeated alerts."""

from datetime import datetime, timedelta


def debounce_events(events: list[tuple[datetime, str]], window: timedelta) -> list[tuple[datetime, str]]:
    """Events in time order, dropping each event whose name repeats within `window` of the
    last kept event of the same name."""
    last_kept: dict[str, datetime] = {}
    kept = []
    for ts, name in sorted(events):
        # <<<
        previous = last_kept.get(name)
        if previous is not None and ts - previous < window:
            continue
        last_kept[name] = ts
        # >>>
        kept.append((ts, name))
    return kept
