"""Replay an insert race deterministically: another writer inserts a row with the same key
after a bulk writer looked for existing keys and before its INSERT reaches the table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def other_writer_first(table: str, write: Callable[[], object]) -> Iterator[None]:
    """Run `write()` just before the first INSERT into `table` (once)."""
    state = {"done": False}

    def wrapper(execute, sql, params, many, context):
        head = sql.lstrip()[:200].upper()
        if not state["done"] and head.startswith("INSERT") and table.upper() in head:
            state["done"] = True
            write()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield
    assert state["done"], f"no INSERT into {table} was seen"
