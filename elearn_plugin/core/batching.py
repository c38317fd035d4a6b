"""Chunking for organisation-wide jobs: one query or statement per chunk, never one per row."""

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one chunk of an organisation-wide job.

    A chunk builds and drops a few hundred thousand small objects (rows, intervals,
    verdicts, JSON values); each allocation spree triggers a collection that walks every
    live object, about a third of a month close chunk's Python time. A chunk's objects
    hold no reference cycles, so reference counting frees them as it goes and nothing
    accumulates; the collector is resumed (and runs when it next would) as the chunk ends,
    also when it fails. Process-wide, like the collector itself: for the job's own process
    (a command, the tick, a Celery worker running one task at a time), not a web request.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
