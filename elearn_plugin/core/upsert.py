"""Bulk inserts that work on every database the platform runs on and count truly.

`conflict_target`: `bulk_create(update_conflicts=True)` on every database.

PostgreSQL and SQLite need the conflict target (`unique_fields`); MySQL and MariaDB, the
platform's database, upsert on any unique key and refuse a named target
("This database backend does not support updating conflicts with specifying unique fields").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
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


def insert_prepared_rows(
    model, fields: list, rows: list[list[Any]], *, ignore_conflicts: bool = False
) -> int:
    """Insert rows of values already prepared for the database, one multi-row `INSERT` per
    batch; return how many rows the database inserted.

    For writers of thousands of rows at once (a month close's standings, sanctions, outbox
    rows and audit events): no model instance per row, no value compiled through the ORM.
    `fields` are the model's fields in the order of each row's values; the caller prepares
    what the driver cannot take as it is (JSON, times) with the field's `get_db_prep_save`.
    With `ignore_conflicts` a row whose unique key is taken is skipped, as in
    `insert_ignoring_conflicts`, and not counted. Table and column names come from the
    model's metadata, quoted; values as `_values_sql` writes them.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = "{} {} ({}) VALUES ".format(
        ops.insert_statement(on_conflict=on_conflict),
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
    )
    tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None) if ignore_conflicts else ""
    size = max(ops.bulk_batch_size(fields, rows), 1)
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            values, params = _values_sql(rows[start : start + size])
            cursor.execute(f"{head}{values} {tail}".rstrip(), params)
            inserted += max(cursor.rowcount, 0)
    return inserted


def _values_sql(rows: Iterable[Iterable[Any]]) -> tuple[str, list[Any]]:
    """The `VALUES` lists of `rows` and their parameters.

    Integers (exactly `int`, not `bool`) and None are written into the statement as numerals
    and NULL: `str()` of an int is a numeral on every database, so nothing a caller passes
    can change the statement's meaning; every other value (text, JSON, times, booleans) is a
    parameter. A month close's standing row is nine such numbers of thirteen values, each
    once quoted by the driver one call at a time.
    """
    groups, params = [], []
    for row in rows:
        marks = []
        for value in row:
            if value is None:
                marks.append("NULL")
            elif type(value) is int:
                marks.append(str(value))
            else:
                marks.append("%s")
                params.append(value)
        groups.append("(" + ", ".join(marks) + ")")
    return ", ".join(groups), params


def refresh_statistics(model) -> None:
    """Have the database re-read the index statistics of `model`'s table after a bulk write.

    MariaDB keeps the statistics it had when a table was nearly empty until a background
    recount catches up: right after a month close wrote a first month's 200,000 standings,
    `period = %s AND user_id BETWEEN %s AND %s` was planned as a scan of the whole month
    through the `(period, user)` index, 30 ms a chunk instead of 2. `ANALYZE TABLE` samples
    a few pages per index (milliseconds) and commits implicitly on MySQL and MariaDB, so it
    must run outside a transaction; elsewhere (SQLite, PostgreSQL's own autovacuum) nothing
    is done.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "mysql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE TABLE {connection.ops.quote_name(model._meta.db_table)}")
        cursor.fetchall()


def row_maker(model, connection, **fixed: Any) -> tuple[list, Callable[[dict], list[Any]]]:
    """The columns `insert_prepared_rows` writes for `model` (all but the primary key) and a
    maker of one row's values from those given for it: every other column takes `fixed`
    (values already prepared) or its field's default, prepared once per call, so the rows
    of a call share their defaults (a creation time, a status)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    others = {
        f.name: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.name not in fixed
    }
    others.update(fixed)
    names = [f.name for f in fields]

    def make(given: dict) -> list[Any]:
        return [given[name] if name in given else others[name] for name in names]

    return fields, make


def json_text(model, name: str, connection) -> Callable[[str], Any]:
    """How the JSON column `name` of `model` takes a value already encoded as JSON text: as
    it is where the database takes JSON as text (SQLite, MySQL, MariaDB), else the field's
    own preparation of the decoded value. For writers that checked a value by encoding it:
    the text checked is the text stored, without decoding and encoding it again."""
    if connection.vendor in ("sqlite", "mysql"):
        return lambda text: text
    prepare = model._meta.get_field(name).get_db_prep_save
    return lambda text: prepare(json.loads(text), connection)
