"""Generation keys: cache entries that a writer's commit can never be overtaken by.

A reader reads the generation first and stores its entry with the generation it read; a
writer changes the generation now and again after its commit (never deletes it). An entry
computed from rows read before the commit carries an older generation, so it is never taken
for a current one, however late it is stored (`elearn_plugin.permissions` works this way).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction


def new_value() -> str:
    return uuid.uuid4().hex


def ensure(key: str, found: str | None) -> str:
    """`found` (a generation read with the entry), or the key's generation, created if absent."""
    if found:
        return found
    value = new_value()
    if cache.add(key, value, None):
        return value
    return cache.get(key) or value


def current(key: str) -> str:
    """The key's generation, created if absent."""
    return ensure(key, cache.get(key))


def bump(keys: Iterable[str]) -> None:
    """Change these generations now and again when the current transaction commits."""
    keys = list(keys)
    if not keys:
        return

    def change() -> None:
        cache.set_many({key: new_value() for key in keys}, None)

    change()
    transaction.on_commit(change)
