"""Query strings of incoming requests."""

from urllib.parse import quote_plus, unquote_plus


def build_query(params: dict[str, list[str]]) -> str:
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, vs in params.items() for v in vs)


def parse_query(query: str) -> dict[str, list[str]]:
    """Parse "a=1&b=2&a=3" into {"a": ["1", "3"], "b": ["2"]}. A leading "?" is ignored,
    keys without "=" get an empty value, and empty pieces are skipped."""
    result: dict[str, list[str]] = {}
    for piece in query.lstrip("?").split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        # <<<
        result.setdefault(unquote_plus(key), []).append(unquote_plus(value))
        # >>>
    return result
