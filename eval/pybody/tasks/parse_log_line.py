"""Reading the service's log files."""

import re
from datetime import datetime

LOG_LINE = re.compile(r"^(?P<ts>\S+ \S+) \[(?P<level>[A-Z]+)\] (?P<msg>.*)$")


def parse_log_line(line: str) -> tuple[datetime, str, str] | None:
    """Parse "2024-03-01 12:00:05 [ERROR] disk full" into (timestamp, level, message);
    None if the line does not match."""
    m = LOG_LINE.match(line.rstrip("\n"))
    if m is None:
        return None
    # <<<
    ts = datetime.strptime(m.group("ts"), "%Y-%m-%d %H:%M:%S")
    # >>>
    return ts, m.group("level"), m.group("msg")


def errors(lines: list[str]) -> list[str]:
    parsed = (parse_log_line(line) for line in lines)
    return [p[2] for p in parsed if p is not None and p[1] == "ERROR"]
