"""Version strings of installed plugins."""


def parse_version(v: str) -> tuple[int, ...]:
    """"1.10.2" -> (1, 10, 2); a leading "v" is allowed and trailing zero parts are
    dropped, so "1.0" and "1" are equal."""
    parts = [int(p) for p in v.strip().lstrip("vV").split(".")]
    # <<<
    while len(parts) > 1 and parts[-1] == 0:
    # >>>
        parts.pop()
    return tuple(parts)


def is_newer(candidate: str, installed: str) -> bool:
    return parse_version(candidate) > parse_version(installed)
