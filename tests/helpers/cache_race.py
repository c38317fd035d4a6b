"""Replay a cache race deterministically: a reader computed its answer from the rows as they
were before a writer's commit, and stores it only after the writer's post-commit invalidation.

`StaleReaderCache(real_cache, writer)` stands in for a module's `cache`: on the reader's first
`set` it first runs `writer()` (which must commit, or run its on-commit callbacks), then
stores what the reader computed before. A correct reader's stale entry is never taken as
current afterwards.
"""

from __future__ import annotations

from collections.abc import Callable


class StaleReaderCache:
    def __init__(self, real, writer: Callable[[], object]):
        self._real = real
        self._writer: Callable[[], object] | None = writer

    def __getattr__(self, name):
        return getattr(self._real, name)

    def set(self, key, value, *args, **kwargs):
        writer, self._writer = self._writer, None
        if writer is not None:
            writer()
        return self._real.set(key, value, *args, **kwargs)
