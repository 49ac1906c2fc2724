"""Reading shell-style config files with line continuations."""

from typing import Iterable, Iterator


def logical_lines(lines: Iterable[str]) -> Iterator[str]:
    """Join each line ending in a backslash with the next one (the backslash removed) and
    yield every logical line without its newline. A continuation left open at the end is
    yielded as it is."""
    pending = ""
    for line in lines:
        line = line.rstrip("\n")
        # <<<
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        yield pending + line
        pending = ""
        # >>>
    if pending:
        yield pending


def read_commands(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in logical_lines(f) if line.strip()]
