"""Compact encodings of seat maps ("AAAB..." rows)."""

import re
from itertools import groupby

_RUN = re.compile(r"(\d*)(\D)")


def expand_runs(encoded: str) -> str:
    return "".join(char * int(n or 1) for n, char in _RUN.findall(encoded))


def compress_runs(text: str) -> str:
    """Run-length encode: "aaabcc" -> "3ab2c" (a run of one keeps just the character)."""
    parts = []
    for char, run in groupby(text):
        # <<<
        n = len(list(run))
        # >>>
        parts.append(f"{n}{char}" if n > 1 else char)
    return "".join(parts)
