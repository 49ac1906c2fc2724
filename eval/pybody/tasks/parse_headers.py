"""A tiny HTTP/1.1 request reader for the test server."""


def parse_request_line(line: str) -> tuple[str, str, str]:
    method, target, version = line.split()
    return method.upper(), target, version


def parse_headers(raw: str) -> dict[str, str]:
    """Parse header lines "Name: value" (up to the first empty line) into a dict with
    lowercased names; values of repeated headers are joined with ", "."""
    headers: dict[str, str] = {}
    for line in raw.splitlines():
        if not line.strip():
            break
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        # <<<
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
        # >>>
    return headers
