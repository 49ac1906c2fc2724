"""Batching for bulk inserts."""

from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield successive lists of `size` items; the last one may be shorter."""
    if size <= 0:
        raise ValueError("size must be positive")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            # <<<
            batch = []
            # >>>
    if batch:
        yield batch


def insert_all(db, rows: Iterable[dict], batch_size: int = 100) -> int:
    count = 0
    for batch in chunked(rows, batch_size):
        db.insert_many(batch)
        count += len(batch)
    return count
