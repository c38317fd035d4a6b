"""Running credit totals per learner and period, kept by the ledger's writer (ADR 0014).

A year's ranking (P-25) over millions of entries needs the learners with the most credits
first; grouping the ledger for it costs seconds on MariaDB however it is indexed. Each credit
entry therefore also adds its amount to four rows (its month, quarter, half-year and year in
the calendar zone the build names), in the same transaction, with one multi-row upsert per
chunk; a ranking then reads an index from the top.

The totals are derived: `build` recomputes them all from the ledger with one
`INSERT … SELECT … GROUP BY` per period, set-based, and is what the tick runs when the
policy's time zone differs from the zone the totals were built in (or they were never
built). Until then the rankings group the ledger, correct and slower.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction
from django.db.models import BigIntegerField, Max, Min, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.ledger.models import CreditTotal, CreditTotalsBuild, LedgerEntry, LedgerKind
from elearn_plugin.rules.periods import PERIOD_MONTHS, Period, period_of

BUILD_ID = 1
PAGE = 1000
_CENT = Decimal("0.01")


def zone_name(tz: tzinfo) -> str:
    """The IANA name of a policy's zone, as the build records it."""
    return getattr(tz, "key", None) or str(tz)


def built_zone() -> str:
    """The zone the totals are kept in, or "" when they have not been built."""
    return (
        CreditTotalsBuild.objects.filter(id=BUILD_ID).values_list("zone", flat=True).first() or ""
    )


def usable_for(period: Period, start: datetime) -> bool:
    """Whether a ranking of `period` counting credits from `start` can read the totals: they
    are built in the period's zone and nothing before the period's start is to be left out."""
    return start == period.start_utc and built_zone() == period.timezone


def top(label: str, *, page: int = PAGE) -> Iterator[tuple[int, Decimal, datetime]]:
    """`(user id, credits, last credit's time)` of a period with positive credits, most
    first (then user id), a page at a time from the top of the index."""
    rows = (
        CreditTotal.objects.filter(period=label, cents__gt=0)
        .order_by("-cents", "user_id")
        .values_list("user_id", "cents", "last_at")
    )
    offset = 0
    while True:
        batch = list(rows[offset : offset + page])
        for user_id, cents, last in batch:
            yield user_id, (Decimal(cents) * _CENT).quantize(_CENT), last
        if len(batch) < page:
            return
        offset += page


# --- the writer's side -------------------------------------------------------------------


def _zone_for_writing() -> str:
    """The build's zone, read under a shared lock held until the writer's transaction ends."""
    table = connection.ops.quote_name(CreditTotalsBuild._meta.db_table)
    lock = {"mysql": " LOCK IN SHARE MODE", "postgresql": " FOR SHARE"}.get(connection.vendor, "")
    with connection.cursor() as cursor:
        # Names from the model's metadata, quoted; the id is a parameter.
        cursor.execute(f"SELECT zone FROM {table} WHERE id = %s{lock}", [BUILD_ID])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else ""


def _labels(when: datetime, tz: tzinfo) -> list[str]:
    return [period_of(kind, when, tz).label for kind in PERIOD_MONTHS]


def add(entries: Iterable[LedgerEntry]) -> int:
    """Add the credit entries just written to their periods' totals; returns rows touched.

    Called by the ledger's writer inside its transaction, so an entry and its totals commit
    or roll back together. Rows are written in key order, so two writers never deadlock.
    """
    credits = [e for e in entries if e.kind == LedgerKind.CREDIT]
    if not credits:
        return 0
    zone = _zone_for_writing()
    if not zone:
        return 0
    tz = ZoneInfo(zone)
    sums: dict[tuple[str, int], list] = defaultdict(lambda: [0, None])
    for entry in credits:
        cents = int((Decimal(entry.amount) / _CENT).to_integral_value())
        for label in _labels(entry.occurred_at, tz):
            item = sums[(label, entry.user_id)]
            item[0] += cents
            item[1] = entry.occurred_at if item[1] is None else max(item[1], entry.occurred_at)
    rows = [(label, user_id, c, last) for (label, user_id), (c, last) in sorted(sums.items())]
    _upsert(rows)
    return len(rows)


def _upsert(rows: list[tuple[str, int, int, datetime]]) -> None:
    """`INSERT … ON DUPLICATE KEY UPDATE` (MySQL, MariaDB) or `ON CONFLICT … DO UPDATE`
    (PostgreSQL, SQLite) adding cents and keeping the later time."""
    ops = connection.ops
    meta = CreditTotal._meta
    table = ops.quote_name(meta.db_table)
    columns = [meta.get_field(n) for n in ("period", "user", "cents", "last_at")]
    names = [ops.quote_name(f.column) for f in columns]
    cents, last = names[2], names[3]
    if connection.vendor == "mysql":
        tail = (
            f"ON DUPLICATE KEY UPDATE {cents} = {cents} + VALUES({cents}), "
            f"{last} = GREATEST({last}, VALUES({last}))"
        )
    else:
        later = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        tail = (
            f"ON CONFLICT ({names[0]}, {names[1]}) DO UPDATE SET "
            f"{cents} = {table}.{cents} + excluded.{cents}, "
            f"{last} = {later}({table}.{last}, excluded.{last})"
        )
    last_field = columns[3]
    size = max(ops.bulk_batch_size(columns, rows), 1)
    one = "(%s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = []
            for label, user_id, amount, when in batch:
                params += [label, user_id, amount, last_field.get_db_prep_save(when, connection)]
            head = f"INSERT INTO {table} ({', '.join(names)}) VALUES "  # noqa: S608 (quoted names)
            cursor.execute(f"{head}{', '.join([one] * len(batch))} {tail}", params)


# --- the build ----------------------------------------------------------------------------


class TotalsError(ValueError):
    """A build was asked for a zone that does not exist; nothing was changed."""


def _periods_spanned(first: datetime, last: datetime, tz: tzinfo) -> list[Period]:
    periods: list[Period] = []
    for kind in PERIOD_MONTHS:
        period = period_of(kind, first, tz)
        while period.start_utc <= last:
            periods.append(period)
            period = period_of(kind, period.end_utc, tz)
    return periods


def _insert_period(period: Period) -> None:
    """One `INSERT INTO totals SELECT label, user, cents, last FROM ledger … GROUP BY user`."""
    select = (
        LedgerEntry.objects.filter(
            kind=LedgerKind.CREDIT,
            occurred_at__gte=period.start_utc,
            occurred_at__lt=period.end_utc,
        )
        .values("user_id")
        .annotate(
            total=Cast(Round(Sum("amount") * 100), BigIntegerField()),
            last=Max("occurred_at"),
        )
        .order_by()
        .values_list("user_id", "total", "last")
    )
    sql, params = select.query.sql_with_params()
    ops = connection.ops
    meta = CreditTotal._meta
    names = ", ".join(
        ops.quote_name(meta.get_field(n).column) for n in ("period", "user", "cents", "last_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(meta.db_table)} ({names}) "  # noqa: S608 (the ORM's SQL)
            f"SELECT %s, grouped.* FROM ({sql}) grouped",
            [period.label, *params],
        )


def build(zone: str, *, actor=None) -> int:
    """Recompute every total from the ledger in `zone`; returns the rows written.

    One transaction holding the build row exclusively: writers wait for it, and the entries
    they add afterwards are counted by their own increments.
    """
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise TotalsError(f"unknown time zone: {zone!r}")
    who = audit.resolve(actor)
    with transaction.atomic():
        CreditTotalsBuild.objects.get_or_create(id=BUILD_ID)
        state = CreditTotalsBuild.objects.select_for_update().get(id=BUILD_ID)
        previous = state.zone
        CreditTotal.objects.all().delete()
        span = LedgerEntry.objects.filter(kind=LedgerKind.CREDIT).aggregate(
            first=Min("occurred_at"), last=Max("occurred_at")
        )
        if span["first"] is not None:
            for period in _periods_spanned(span["first"], span["last"], tz):
                _insert_period(period)
        state.zone = zone
        state.built_at = timezone.now()
        state.save(update_fields=["zone", "built_at"])
        count = CreditTotal.objects.count()
        audit.record(
            who,
            "ledger.totals_built",
            state,
            {"zone_key": zone, "previous_key": previous, "count": count},
        )
    return count
