"""The progress row as the last accepted report (or session start) wrote it, in the shared cache.

The next report of the learner decides on it without reading the database (ADR 0004). Only
a hint: the versioned UPDATE of `fast_report_sql` decides, and a report that finds no entry,
or a stale one, reads the row.
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache

from elearn_plugin.video.models import WatchProgress
from elearn_plugin.video.sharing import SHARING_CACHE_SECONDS

CACHE_SECONDS = SHARING_CACHE_SECONDS  # one write of both (set_many), one lifetime


def _progress_key(user_id: int, block_key: str) -> str:
    digest = hashlib.sha1(block_key.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"elearn:video:progress:{user_id}:{digest[:24]}"


@functools.cache
def _attnames() -> tuple[str, ...]:
    return tuple(field.attname for field in WatchProgress._meta.concrete_fields)


def _row_values(progress: WatchProgress) -> list:
    return [getattr(progress, name) for name in _attnames()]


def _progress_from_cache(alias: str, values: object) -> WatchProgress | None:
    attnames = _attnames()
    if not isinstance(values, list) or len(values) != len(attnames):
        return None
    return WatchProgress.from_db(alias, attnames, values)


def _remember_progress(progress: WatchProgress) -> None:
    cache.set(
        _progress_key(progress.user_id, progress.block_key), _row_values(progress), CACHE_SECONDS
    )
