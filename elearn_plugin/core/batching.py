"""Chunking for organisation-wide jobs: one query or statement per chunk, never one per row."""

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most `size` items, in input order.

    A bounded `IN (...)` list keeps each statement within the database's parameter limits.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    values = items if isinstance(items, list) else list(items)
    for start in range(0, len(values), size):
        yield values[start : start + size]
