"""The only writer of the ledger (ADR 0001): credits (P-20) and contribution points (P-12).

Entries are keyed `(user, kind, source_key)`; adding the same key twice changes nothing, so a
month close or a completion replayed after a crash never credits twice (P-33). Each new
credit also moves its periods' running totals, in the same transaction (ADR 0014).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.core.upsert import insert_returning_ours
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.ledger import totals as running_totals
from elearn_plugin.ledger.models import LedgerEntry, LedgerKind

CREDIT = LedgerKind.CREDIT.value
POINTS = LedgerKind.POINTS.value
CHUNK_SIZE = 500
_AMOUNT_LIMIT = Decimal("10000000000")


class LedgerDataError(ValueError):
    """Bad input to a ledger service; nothing was written."""


@dataclass(frozen=True)
class LedgerEntrySpec:
    user_id: int
    kind: str
    amount: Decimal
    source_key: str
    occurred_at: datetime
    course_key: str = ""


def _clean(spec: LedgerEntrySpec) -> LedgerEntrySpec:
    if not isinstance(spec.user_id, int) or isinstance(spec.user_id, bool) or spec.user_id <= 0:
        raise LedgerDataError(f"user_id must be a positive integer, got {spec.user_id!r}")
    if spec.kind not in LedgerKind.values:
        raise LedgerDataError(f"kind must be one of {LedgerKind.values}, got {spec.kind!r}")
    if isinstance(spec.amount, float | bool):
        raise LedgerDataError("amount must be a Decimal or an integer, not a float")
    try:
        amount = Decimal(spec.amount)
    except (InvalidOperation, TypeError, ValueError):
        raise LedgerDataError(f"amount is not a number: {spec.amount!r}")
    if not amount.is_finite() or abs(amount) >= _AMOUNT_LIMIT:
        raise LedgerDataError(f"amount is out of range: {spec.amount!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise LedgerDataError(f"amount has more than 2 decimal places: {spec.amount!r}")
    if not isinstance(spec.source_key, str) or not spec.source_key.strip():
        raise LedgerDataError("source_key must be a non-empty string")
    if len(spec.source_key) > 200:
        raise LedgerDataError("source_key is longer than 200 characters")
    if not isinstance(spec.course_key, str) or len(spec.course_key) > 255:
        raise LedgerDataError("course_key must be a string of at most 255 characters")
    when = spec.occurred_at
    if not is_aware(when):
        raise LedgerDataError("occurred_at must be a timezone-aware datetime")
    return LedgerEntrySpec(
        user_id=spec.user_id,
        kind=spec.kind,
        amount=amount,
        source_key=spec.source_key,
        occurred_at=when,
        course_key=spec.course_key,
    )


def _row(spec: LedgerEntrySpec, now: datetime) -> LedgerEntry:
    return LedgerEntry(
        created_at=now,
        user_id=spec.user_id,
        kind=spec.kind,
        amount=spec.amount,
        source_key=spec.source_key,
        occurred_at=spec.occurred_at,
        course_key=spec.course_key,
    )


def add_entry(
    user_id: int,
    kind: str,
    amount: Decimal,
    source_key: str,
    occurred_at: datetime,
    *,
    course_key: str = "",
    actor=None,
) -> bool:
    """Add one entry; returns False when the key already exists (the first entry stands)."""
    spec = LedgerEntrySpec(user_id, kind, amount, source_key, occurred_at, course_key)
    return add_entries_bulk([spec], actor=actor) == 1


def _audit(who: audit.Actor, rows: Sequence[LedgerEntry]) -> None:
    audit.record_bulk(
        who,
        "ledger.entry_added",
        [
            (
                row,
                {
                    "kind_code": row.kind,
                    "amount": row.amount,
                    "source_key": row.source_key,
                    "course_key": row.course_key,
                },
            )
            for row in rows
        ],
    )


def add_entries_bulk(entries: Sequence[LedgerEntrySpec], *, actor=None) -> int:
    """Add many entries in chunks; returns how many were new. All are validated first.

    `actor` None is the job running now (ADR 0009); each new entry gets its audit event.
    """
    who = audit.resolve(actor)
    clean: dict[tuple[int, str, str], LedgerEntrySpec] = {}
    for spec in entries:
        item = _clean(spec)
        clean.setdefault((item.user_id, item.kind, item.source_key), item)
    specs = list(clean.values())
    created = 0
    now = timezone.now()
    with transaction.atomic():
        for chunk in chunked(specs, CHUNK_SIZE):
            _require_users({s.user_id for s in chunk})
            existing = _existing_keys(chunk)
            new = [s for s in chunk if (s.user_id, s.kind, s.source_key) not in existing]
            if new:
                try:
                    with transaction.atomic():
                        # A concurrent writer may have taken a key since the SELECT (P-33).
                        ours = insert_returning_ours(
                            LedgerEntry,
                            [_row(s, now) for s in new],
                            ("user_id", "kind", "source_key"),
                            "created_at",
                        )
                        _audit(who, ours)
                        running_totals.add(ours)
                        created += len(ours)
                except IntegrityError:
                    raise LedgerDataError("an entry refers to a user that does not exist")
    return created


def _require_users(user_ids: set[int]) -> None:
    missing = sorted(missing_user_ids(user_ids))
    if missing:
        raise LedgerDataError(f"unknown user ids: {missing[:20]}")


def _existing_keys(chunk: Sequence[LedgerEntrySpec]) -> set[tuple[int, str, str]]:
    rows = LedgerEntry.objects.filter(
        user_id__in={s.user_id for s in chunk},
        source_key__in={s.source_key for s in chunk},
    ).values_list("user_id", "kind", "source_key")
    return set(rows)


def totals(
    kind: str,
    start: datetime,
    end: datetime,
    user_ids: Iterable[int] | None = None,
) -> dict[int, Decimal]:
    """Sum of entries of `kind` per user with `start <= occurred_at < end` (one GROUP BY)."""
    if kind not in LedgerKind.values:
        raise LedgerDataError(f"kind must be one of {LedgerKind.values}, got {kind!r}")
    for value in (start, end):
        if not is_aware(value):
            raise LedgerDataError("start and end must be timezone-aware datetimes")
    if end <= start:
        raise LedgerDataError("end must be after start")
    base = LedgerEntry.objects.filter(kind=kind, occurred_at__gte=start, occurred_at__lt=end)
    if user_ids is None:
        return _sum_by_user(base)
    ids = sorted(set(user_ids))
    result: dict[int, Decimal] = {}
    for chunk in chunked(ids, CHUNK_SIZE):
        result.update(_sum_by_user(base.filter(user_id__in=chunk)))
    return result


def _sum_by_user(queryset) -> dict[int, Decimal]:
    rows = queryset.values("user_id").annotate(total=Sum("amount")).order_by()
    return {row["user_id"]: row["total"] for row in rows}
