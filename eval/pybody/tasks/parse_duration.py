"""Durations in config files: "1h30m", "45s", "2h 5s"."""

import re

_UNITS = {"h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([hms])")


def parse_duration(text: str) -> int:
    """Parse a duration like "1h30m", "45s" or "2h 5s" into seconds.

    Raises ValueError for empty input or anything that is not a sequence of
    <number><unit> parts."""
    compact = text.replace(" ", "")
    if not compact:
        raise ValueError("empty duration")
    total = 0
    pos = 0
    # <<<
    for match in _PART.finditer(compact):
        if match.start() != pos:
            raise ValueError(f"bad duration: {text!r}")
        total += int(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    # >>>
    if pos != len(compact):
        raise ValueError(f"bad duration: {text!r}")
    return total


def format_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "".join(parts) or "0s"
