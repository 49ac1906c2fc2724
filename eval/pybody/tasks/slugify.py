"""Helpers for building URLs of blog posts."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def post_url(year: int, title: str) -> str:
    return f"/blog/{year}/{slugify(title)}/"


def slugify(title: str, max_length: int = 60) -> str:
    """Turn a title into a URL slug: lowercase ASCII words joined by hyphens, at most
    max_length characters, never starting or ending with a hyphen."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    # <<<
    slug = _NON_WORD.sub("-", text.lower()).strip("-")
    # >>>
    return slug[:max_length].rstrip("-")
