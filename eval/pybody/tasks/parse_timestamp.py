"""Dates from spreadsheets filled in by hand."""

from datetime import datetime

FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y", "%Y-%m-%d")


def parse_timestamp(text: str) -> datetime:
    """Parse text with the first of FORMATS that fits (surrounding whitespace ignored);
    raise ValueError listing the formats when none does."""
    text = text.strip()
    # <<<
    for fmt in FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    # >>>
    raise ValueError(f"unrecognized timestamp {text!r}; expected one of {', '.join(FORMATS)}")
