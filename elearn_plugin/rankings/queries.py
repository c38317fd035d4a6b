"""The reads a ranking is computed from, each one aggregate or a few keyed lookups (P-25).

The expensive part is one `GROUP BY` over the period's credit entries (ledger kind
`credit` only: contribution points are not credits), returned in descending order so that
the ranking reads learners from the top and stops once the cut is decided. Eligibility
(the quota verdicts of the months closed in the period, blocks at the period's end) is then
read only for the learners near the top, a batch at a time, never for the whole population.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Max, Q, Sum

from elearn_plugin.core.batching import chunked
from elearn_plugin.ledger.models import LedgerEntry, LedgerKind
from elearn_plugin.month_close.models import Standing
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.standing.models import Sanction, SanctionKind

# Blocks that take a learner out of a ranking when the period ends (P-7, P-23).
BLOCKING_KINDS = (SanctionKind.REVOCATION, SanctionKind.FREEZE)
LOOKUP_CHUNK = 1000


def credit_totals(
    start: datetime, end: datetime, *, with_last: bool = True, page: int = LOOKUP_CHUNK
) -> Iterator[tuple[int, Decimal, datetime | None]]:
    """`(user id, credits, last credit's time)` of every learner with positive credits in
    `[start, end)`, most credits first, a page (`LIMIT`) at a time.

    A page is one execution of the aggregate, so a ranking decided in the first page never
    transfers (nor converts) the other learners' totals. `with_last=False` leaves out the
    last credit's time, which only the `earliest` tie rule needs.
    """
    rows = (
        LedgerEntry.objects.filter(
            kind=LedgerKind.CREDIT, occurred_at__gte=start, occurred_at__lt=end
        )
        .values("user_id")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
    )
    if with_last:
        rows = rows.annotate(last=Max("occurred_at")).values_list("user_id", "total", "last")
    else:
        rows = rows.values_list("user_id", "total")
    rows = rows.order_by("-total", "user_id")
    offset = 0
    while True:
        batch = list(rows[offset : offset + page])
        for row in batch:
            yield (row[0], row[1], row[2] if with_last else None)
        if len(batch) < page:
            return
        offset += page


def credits_of(user_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, Decimal]:
    """The credits in `[start, end)` of the given learners (zero when they have none)."""
    totals: dict[int, Decimal] = {}
    for chunk in chunked(sorted(set(user_ids)), LOOKUP_CHUNK):
        totals.update(
            LedgerEntry.objects.filter(
                kind=LedgerKind.CREDIT,
                occurred_at__gte=start,
                occurred_at__lt=end,
                user_id__in=chunk,
            )
            .values("user_id")
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list("user_id", "total")
        )
    return totals


def quota_verdicts(user_ids: Sequence[int], months: Sequence[str]) -> dict[int, list]:
    """`{user id: [quota_met of each judged month]}` (None for an exempt month)."""
    verdicts: dict[int, list] = defaultdict(list)
    for user_id, met in Standing.objects.filter(
        period__in=list(months), user_id__in=list(user_ids)
    ).values_list("user_id", "quota_met"):
        verdicts[user_id].append(met)
    return verdicts


def blocked_at(user_ids: Sequence[int], when: datetime) -> set[int]:
    """The learners revoked or frozen at the instant before `when` (a period's end)."""
    return set(
        Sanction.objects.filter(
            user_id__in=list(user_ids), kind__in=BLOCKING_KINDS, starts_at__lt=when
        )
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gte=when))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=when))
        .values_list("user_id", flat=True)
    )


def employee_ids(user_ids: Sequence[int]) -> dict[int, str]:
    return dict(
        Person.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "employee_id")
    )


def units_at(user_ids: Sequence[int], when: datetime) -> dict[int, int]:
    """Each learner's unit at the instant before `when`: their last stay begun before it."""
    units: dict[int, int] = {}
    for user_id, unit_id in (
        Membership.objects.filter(user_id__in=list(user_ids), valid_from__lt=when)
        .order_by("user_id", "valid_from")
        .values_list("user_id", "unit_id")
    ):
        units[user_id] = unit_id  # the latest stay wins
    return units
