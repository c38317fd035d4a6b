"""The chunks of a month close: the plan by learner-id range, judging one, applying one.

A chunk is about `CHUNK_LEARNERS` learners by id range. Judging a chunk reads its facts with
the few set queries of `facts.load_range`, judges them (`rules.month_verdicts`) and writes its
standing rows and one audit event in one transaction that also marks it judged; applying it
writes its sanctions (through `standing.impose_bulk`, with their audit events) and messages
(through the outbox) in one transaction that marks it applied. Each step first locks its
chunk row and does nothing if the step is done, so a redelivered task, a second worker or a
re-run adds nothing (P-33), and a worker killed halfway leaves its transaction unwritten.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.upsert import insert_prepared_rows, refresh_statistics
from elearn_plugin.gate import course_titles
from elearn_plugin.month_close import consequences
from elearn_plugin.month_close.facts import load_range, month_rules
from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose, Standing
from elearn_plugin.org.models import Membership
from elearn_plugin.outbox.services import enqueue_bulk
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.month_verdicts import (
    MISSED_TASKS_SUSPENSION,
    QUOTA_WARNING,
    REVOCATION,
    judge_many,
)
from elearn_plugin.rules.periods import Period
from elearn_plugin.standing.services import impose_bulk

log = logging.getLogger(__name__)

CHUNK_LEARNERS = 1000
JUDGED = "judged"
APPLIED = "applied"
SKIPPED = "skipped"


def population(period: Period):
    """User ids of the learners judged for `period`: a membership during the month (so hired
    before its end), as a values queryset ordered by id."""
    return (
        Membership.objects.filter(valid_from__lt=period.end_utc)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=period.start_utc))
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )


def plan(close: MonthClose, period: Period, size: int | None = None) -> int:
    """Record the chunk plan of a close (in the caller's transaction); returns the chunks.

    The plan is fixed once written: the ranges cover the learners known when the close
    began, and a learner added later inside a range is judged with it.
    """
    size = size or CHUNK_LEARNERS
    ids = list(population(period))
    chunks = [
        CloseChunk(
            close=close,
            index=number,
            first_user_id=ids[start],
            last_user_id=ids[min(start + size, len(ids)) - 1],
        )
        for number, start in enumerate(range(0, len(ids), size))
    ]
    CloseChunk.objects.bulk_create(chunks)
    return len(chunks)


def _locked(close_id: int, index: int) -> CloseChunk | None:
    """The chunk row, locked; its close read without a lock (so chunks run side by side:
    the close's status cannot move on while this chunk's step is uncommitted)."""
    chunk = CloseChunk.objects.select_for_update().filter(close_id=close_id, index=index).first()
    if chunk is not None:
        chunk.close = MonthClose.objects.get(pk=chunk.close_id)
    return chunk


# The columns a standing row is written with, all given (the id is the database's).
_STANDING_FIELDS = (
    "close",
    "period",
    "user",
    "unit",
    "required_completed",
    "quota",
    "quota_met",
    "missed_tasks",
    "months_with_misses",
    "consequences",
    "exempt",
    "evidence",
    "judged_at",
)


def _insert_standings(close: MonthClose, verdicts, unit_of: dict[int, int], now) -> None:
    """One standing row per verdict, in multi-row INSERTs (`core.upsert.insert_prepared_rows`).

    What `bulk_create` would write, column for column: the JSON columns and the time are
    prepared by their own fields, the other values are plain ints, strings and booleans the
    driver takes as they are. `bulk_create` compiled each of the chunk's 13,000 values one
    call chain at a time, more than judging the chunk cost.
    """
    if not verdicts:
        return
    meta = Standing._meta
    connection = connections[router.db_for_write(Standing)]
    fields = [meta.get_field(name) for name in _STANDING_FIELDS]
    by_name = dict(zip(_STANDING_FIELDS, fields, strict=True))
    listed = by_name["consequences"].get_db_prep_save
    as_json = by_name["evidence"].get_db_prep_save
    judged_at = by_name["judged_at"].get_db_prep_save(now, connection)
    rows = []
    lists: dict[tuple[str, ...], object] = {}  # a chunk's few distinct lists, encoded once
    for v in verdicts:
        f = consequences.standing_fields(v)
        key = tuple(f["consequences"])
        if key not in lists:
            lists[key] = listed(f["consequences"], connection)
        rows.append(
            (
                close.pk,
                close.period,
                v.user_id,
                unit_of.get(v.user_id),
                f["required_completed"],
                f["quota"],
                f["quota_met"],
                f["missed_tasks"],
                f["months_with_misses"],
                lists[key],
                f["exempt"],
                as_json(f["evidence"], connection),
                judged_at,
            )
        )
    insert_prepared_rows(Standing, fields, rows)


def _counts(verdicts) -> dict[str, int]:
    return {
        "warnings": sum(QUOTA_WARNING in v.consequences for v in verdicts),
        "suspensions": sum(MISSED_TASKS_SUSPENSION in v.consequences for v in verdicts),
        "revocations": sum(REVOCATION in v.consequences for v in verdicts),
        "sanctioned": sum(
            any(c in consequences.SANCTIONING for c in v.consequences) for v in verdicts
        ),
    }


def judge_chunk(close_id: int, index: int, policy: Policy, period: Period) -> str:
    """Judge one chunk's learners and write their standings; SKIPPED when already judged."""
    with transaction.atomic():
        chunk = _locked(close_id, index)
        if chunk is None or chunk.judged_at is not None:
            return SKIPPED
        close = chunk.close
        if close.status != CloseStatus.JUDGING:
            return SKIPPED
        ids, facts, unit_of = load_range(chunk.first_user_id, chunk.last_user_id, period, policy)
        verdicts = judge_many(facts, month_rules(policy), period, close.decided_at)
        now = timezone.now()
        _insert_standings(close, verdicts, unit_of, now)
        counts = _counts(verdicts)
        CloseChunk.objects.filter(pk=chunk.pk).update(judged_at=now, learners=len(ids), **counts)
        audit.record(
            None,
            "month_close.chunk_judged",
            close,
            {
                "period_code": close.period,
                "first_user_id": chunk.first_user_id,
                "last_user_id": chunk.last_user_id,
                "count": len(ids),
                "sanctioned_count": counts["sanctioned"],
            },
        )
    return JUDGED


def standings_of(chunk: CloseChunk, period: str):
    """The standings the chunk's judging wrote: its user-id range in the month."""
    return Standing.objects.filter(
        period=period, user_id__gte=chunk.first_user_id, user_id__lte=chunk.last_user_id
    )


def before_applying() -> None:
    """Before a close's apply step reads its standings back chunk by chunk: the database's
    statistics of the standings, which the judging step has just filled, brought up to date
    (`core.upsert.refresh_statistics`), so each chunk's read is planned as the id range it is."""
    refresh_statistics(Standing)


def apply_chunk(close_id: int, index: int, *, quota_email: bool, tz) -> str:
    """Impose one chunk's sanctions and write its messages; SKIPPED when already applied."""
    with transaction.atomic():
        chunk = _locked(close_id, index)
        if chunk is None or chunk.applied_at is not None:
            return SKIPPED
        close = chunk.close
        if close.status != CloseStatus.APPLYING:
            return SKIPPED
        # A consequence needs a quota not met or a missed task (`rules.month_verdicts.judge`):
        # the rows of learners with neither, most of a chunk, are not read.
        rows = [
            (uid, listed, consequences.verdict_evidence(uid, close.period, (listed, *rest), stored))
            for uid, stored, listed, *rest in standings_of(chunk, close.period)
            .filter(Q(quota_met=False) | Q(missed_tasks__gt=0))
            .order_by("user_id")
            .values_list(
                "user_id",
                "evidence",
                "consequences",
                "exempt",
                "quota",
                "required_completed",
                "quota_met",
                "months_with_misses",
            )
            if listed
        ]
        starts_at = applied_from(close)
        specs = consequences.sanction_specs(close.period, rows, starts_at, close.decided_at)
        impose_bulk(specs)
        keys = {m["course_key"] for _u, _c, e in rows for m in e.get("missed") or []}
        enqueue_bulk(
            consequences.messages(
                close.period,
                rows,
                specs,
                quota_email=quota_email,
                tz=tz,
                titles=course_titles(sorted(keys)) if keys else {},
            )
        )
        CloseChunk.objects.filter(pk=chunk.pk).update(applied_at=timezone.now())
    return APPLIED


def applied_from(close: MonthClose) -> datetime:
    """Where the month's sanctions start: its decision, or HR's confirmation of a hold."""
    return close.confirmed_at or close.decided_at


def pending(close: MonthClose) -> list[int]:
    """Indexes of the chunks the close's current step still has to do."""
    chunks = CloseChunk.objects.filter(close=close)
    if close.status == CloseStatus.JUDGING:
        chunks = chunks.filter(judged_at__isnull=True)
    elif close.status == CloseStatus.APPLYING:
        chunks = chunks.filter(applied_at__isnull=True)
    else:
        return []
    return list(chunks.order_by("index").values_list("index", flat=True))
