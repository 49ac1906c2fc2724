"""Pagination for list endpoints."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    total_pages: int

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages


def paginate(items: list, page: int, per_page: int = 10) -> Page:
    """Page number `page` (1-based) of items. Pages past the end are empty, page < 1 is a
    ValueError, and an empty list has one (empty) page."""
    if page < 1:
        raise ValueError("page must be >= 1")
    total_pages = max(1, math.ceil(len(items) / per_page))
    # <<<
    start = (page - 1) * per_page
    # >>>
    return Page(items[start:start + per_page], page, total_pages)
