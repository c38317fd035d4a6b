"""The fast SQL path of a watch report: one plain read and one versioned update (ADR 0004).

Why it exists: every player sends a report every few seconds, and every accepted report
runs the same two statements on the learner's progress row; compiling them through the ORM
costs more than running them. So each is written once per database from the model's
metadata (table, columns, quoting) and cached; values are still prepared by the model's own
fields, and the row read back goes through the same converters the ORM applies (JSON,
date-times) into `Model.from_db`, so callers get the ORM's row. The read takes no lock (the
versioned UPDATE decides a race) and also returns, in the same round trip, when the
learner's latest block (suspension, revocation, freeze) ended: time under a block is never
report budget. Everything else in the video domain goes through the ORM.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import connections

from elearn_plugin.video.models import WatchProgress

# The columns an accepted report writes, in the UPDATE's order.
_REPORT_FIELDS = (
    "intervals",
    "frontier",
    "position",
    "watched_seconds",
    "wall_seconds",
    "last_seq",
    "last_report",
    "last_report_at",
    "pending_windows",
    "first_watched_at",
    "last_watched_at",
    "completed_at",
    "version",
)


@dataclass(frozen=True)
class _Statements:
    select: str
    update: str
    guarded_update: str  # `update` that also requires no block ended after a given time
    attnames: tuple[str, ...]
    converters: tuple  # per column: ((converter, column expression), ...)
    written: tuple  # the model fields of _REPORT_FIELDS, in the UPDATE's order
    block_kinds: tuple[str, ...]  # the sanction kinds that block, in the SELECT's order
    block_converters: tuple  # the converters of the block end column
    starts_field: object  # the sanction start field (prepares `now`)


def _converters(connection, field, table: str) -> tuple:
    col = field.get_col(table)
    found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
    return tuple((converter, col) for converter in found)


@functools.cache
def _report_statements(alias: str, vendor: str) -> _Statements:
    from elearn_plugin.standing.models import Sanction  # noqa: PLC0415
    from elearn_plugin.standing.services import BLOCKING_KINDS  # noqa: PLC0415

    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = WatchProgress._meta
    sanctions = Sanction._meta

    def column(name: str, of=meta) -> str:
        return qn(of.get_field(name).column)

    fields = meta.concrete_fields
    table = qn(meta.db_table)
    kinds = tuple(str(kind) for kind in BLOCKING_KINDS)
    ends, lifted, starts = (column(n, sanctions) for n in ("ends_at", "lifted_at", "starts_at"))
    # A block ends at its end or when it is lifted, whichever comes first; one lifted before
    # it started never blocked. An open-ended block in force is the gate's refusal.
    block_end = (
        f"CASE WHEN {lifted} IS NULL THEN {ends} "
        f"WHEN {ends} IS NULL OR {lifted} < {ends} THEN {lifted} ELSE {ends} END"
    )
    # Identifiers come from the models' metadata, quoted; values are always parameters.
    # The learner's blocking sanctions that had started by a time (%s) and were not lifted
    # before they started: read by the SELECT (their latest end), guarded by the UPDATE.
    blocking = (  # noqa: S608
        "FROM {} WHERE {} = %s AND {} IN ({}) AND {} <= %s AND ({} IS NULL OR {} > {})"
    ).format(
        qn(sanctions.db_table),
        column("user", sanctions),
        column("kind", sanctions),
        ", ".join(["%s"] * len(kinds)),
        starts,
        lifted,
        lifted,
        starts,
    )
    latest_block_end = f"(SELECT MAX({block_end}) {blocking})"
    select = "SELECT {}, {} FROM {} WHERE {} = %s AND {} = %s".format(  # noqa: S608
        ", ".join(qn(field.column) for field in fields),
        latest_block_end,
        table,
        column("user"),
        column("block_key"),
    )
    update = "UPDATE {} SET {} WHERE {} = %s AND {} = %s".format(  # noqa: S608
        table,
        ", ".join(f"{column(name)} = %s" for name in _REPORT_FIELDS),
        qn(meta.pk.column),
        column("version"),
    )
    guarded_update = f"{update} AND NOT EXISTS (SELECT 1 {blocking} AND {block_end} > %s)"
    return _Statements(
        select,
        update,
        guarded_update,
        tuple(field.attname for field in fields),
        tuple(_converters(connection, field, meta.db_table) for field in fields),
        tuple(meta.get_field(name) for name in _REPORT_FIELDS),
        kinds,
        _converters(connection, sanctions.get_field("ends_at"), sanctions.db_table),
        sanctions.get_field("starts_at"),
    )


def _convert(value, converters, connection):
    for converter, col in converters:
        value = converter(value, col, connection)
    return value


def _read_progress(
    alias: str, user_id: int, block_key: str, now: datetime
) -> tuple[WatchProgress | None, datetime | None]:
    """The learner's progress row (no lock) and when their latest block ended (or None)."""
    connection = connections[alias]
    statements = _report_statements(alias, connection.vendor)
    started_by = statements.starts_field.get_db_prep_value(now, connection)
    params = [user_id, *statements.block_kinds, started_by, user_id, block_key]
    with connection.cursor() as cursor:
        cursor.execute(statements.select, params)
        row = cursor.fetchone()
    if row is None:
        return None, None
    *columns, block_end = row
    values = [
        _convert(value, converters, connection)
        for value, converters in zip(columns, statements.converters, strict=True)
    ]
    ended = _convert(block_end, statements.block_converters, connection)
    return WatchProgress.from_db(alias, statements.attnames, values), ended


def _update_progress(
    alias: str, progress: WatchProgress, fields: dict, *, unblocked_since: datetime | None = None
) -> bool:
    """UPDATE … WHERE version = the version read; False when another report changed it.

    With `unblocked_since`, also False when a block of the learner ended after that time.
    """
    connection = connections[alias]
    statements = _report_statements(alias, connection.vendor)
    params = [
        field.get_db_prep_save(fields[field.name], connection=connection)
        for field in statements.written
    ]
    params += [progress.pk, progress.version]
    sql = statements.update
    if unblocked_since is not None:
        sql = statements.guarded_update
        prep = statements.starts_field.get_db_prep_value
        now = fields["last_report_at"]
        params += [
            progress.user_id,
            *statements.block_kinds,
            prep(now, connection),
            prep(unblocked_since, connection),
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1
