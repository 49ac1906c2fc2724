"""Deduplication helpers for import jobs."""

from typing import Callable, Hashable, Iterable, TypeVar

T = TypeVar("T")


def unique(items: Iterable[T], key: Callable[[T], Hashable] | None = None) -> list[T]:
    """Items with duplicates removed, first occurrence kept; key(item) decides identity if given."""
    seen = set()
    out = []
    for item in items:
        marker = item if key is None else key(item)
        if marker in seen:
            continue
        # <<<
        seen.add(marker)
        # >>>
        out.append(item)
    return out


def unique_emails(rows: list[dict]) -> list[dict]:
    return unique(rows, key=lambda r: r["email"].lower())
