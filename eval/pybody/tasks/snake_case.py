"""Converting identifiers between naming styles."""

import re

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def to_camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def to_snake_case(name: str) -> str:
    """"parseHTTPResponse" -> "parse_http_response"; runs of hyphens and spaces become
    one underscore."""
    name = re.sub(r"[-\s]+", "_", name.strip())
    # <<<
    return _BOUNDARY.sub("_", name).lower()
    # >>>
