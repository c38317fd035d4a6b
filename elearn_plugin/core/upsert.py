"""Bulk inserts that work on every database the platform runs on and count truly.

`conflict_target`: `bulk_create(update_conflicts=True)` on every database.

PostgreSQL and SQLite need the conflict target (`unique_fields`); MySQL and MariaDB, the
platform's database, upsert on any unique key and refuse a named target
("This database backend does not support updating conflicts with specifying unique fields").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections, router, transaction
from django.db.models import AutoField
from django.db.models.constants import OnConflict
from django.db.models.sql.subqueries import InsertQuery


def conflict_target(model, fields: list[str]) -> list[str] | None:
    """`fields` where the model's database wants a conflict target, else None."""
    features = connections[router.db_for_write(model)].features
    return list(fields) if features.supports_update_conflicts_with_target else None


def insert_ignoring_conflicts(model, objs: Iterable[Any]) -> int:
    """Insert `objs`, skipping rows whose unique key is already taken; return how many rows
    this statement really inserted (P-33).

    `bulk_create(ignore_conflicts=True)` returns its input, so a writer that counted it (or
    counted what its own earlier SELECT had not seen) reported as its own a row a concurrent
    writer inserted in between. Here the count is the database's own: the rows affected by
    `INSERT IGNORE` (MySQL, MariaDB), `INSERT OR IGNORE` (SQLite) or `ON CONFLICT DO NOTHING`
    (PostgreSQL), summed over the batches. No signals are sent, as with `bulk_create`; the
    objects get no primary key.
    """
    objs = list(objs)
    if not objs:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    opts = model._meta
    with_pk = {obj.pk is not None for obj in objs}
    if len(with_pk) > 1:
        raise ValueError("insert_ignoring_conflicts: give every row a primary key, or none")
    fields = [f for f in opts.concrete_fields if not getattr(f, "generated", False)]
    if with_pk == {False}:
        fields = [f for f in fields if not isinstance(f, AutoField)]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    inserted = 0
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
            query.insert_values(fields, objs[start : start + size])
            for sql, params in query.get_compiler(using=using).as_sql():
                cursor.execute(sql, params)
                inserted += max(cursor.rowcount, 0)
    return inserted


def insert_returning_ours(
    model, objs: Iterable[Any], key_fields: tuple[str, ...], marker: str
) -> list[Any]:
    """Insert `objs` ignoring taken keys; return the rows this call inserted, read back.

    Every object carries the same value in the `marker` field (the call's own `now`), so a
    row a concurrent writer inserted under one of our keys, carrying its own time, is not
    reported as ours: each change gets one audit event, whoever wins the key (P-33).
    """
    objs = list(objs)
    if not objs or not insert_ignoring_conflicts(model, objs):
        return []
    marks = {getattr(obj, marker) for obj in objs}
    if len(marks) != 1:
        raise ValueError(f"insert_returning_ours: every row needs the same {marker}")
    keys = {tuple(getattr(obj, field) for field in key_fields) for obj in objs}
    first = key_fields[0]
    rows = model.objects.filter(**{f"{first}__in": {k[0] for k in keys}, marker: marks.pop()})
    return [row for row in rows if tuple(getattr(row, f) for f in key_fields) in keys]
