"""The only writer of rankings: compute a period's ranking once its last month is closed,
then freeze it (P-25).

A frozen ranking is never recomputed: prizes and appraisals follow it, so a completion
corrected afterwards shows up in the report's `corrections`, not in a changed rank.
`freeze_ranking` is called by the month close's hook in the closing transaction, and by
the tick for a period whose months were closed before its ranking existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.ledger import totals as credit_totals
from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rankings import queries
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rules.periods import Period, months_back, period_of
from elearn_plugin.rules.rankings import TIES_EARLIEST, Candidate, Ranked, qualifies, rank

BATCH = 500


@dataclass(frozen=True)
class Computed:
    rows: list[Ranked]
    checked: int


class RankingError(ValueError):
    """A ranking asked for a period that has none (not closed, or not a ranking period)."""


def effective_start(period: Period, policy: Policy) -> datetime:
    """The period's start, or the policy's `effective_from` if later: nothing before it counts."""
    first = period_of(
        "month",
        datetime(*policy.effective_from.timetuple()[:3], tzinfo=policy.tz).astimezone(UTC),
        policy.tz,
    )
    return max(period.start_utc, first.start_utc)


def period_months(period: Period, policy: Policy) -> list[Period]:
    """The months of a period since the policy took effect, oldest first."""
    count = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[period.kind]
    start = effective_start(period, policy)
    return [m for m in months_back(period, count, policy.tz) if m.start_utc >= start]


def is_closed(period: Period, policy: Policy) -> bool:
    """Whether every month of the period since the policy's start is closed."""
    months = period_months(period, policy)
    if not months:
        return False
    closed = MonthClose.objects.filter(
        period__in=[m.label for m in months], status=CloseStatus.CLOSED
    ).count()
    return closed == len(months)


def compute(period: Period, policy: Policy) -> Computed:
    """The ranked rows of `period` as the records say now (written nowhere)."""
    rule = policy.rankings
    months = [m.label for m in period_months(period, policy)]
    eligible: list[Candidate] = []
    batch: list[tuple[int, object, datetime]] = []
    checked = 0

    def settle() -> None:
        ids = [user_id for user_id, _t, _l in batch]
        people = queries.employee_ids(ids)
        verdicts = queries.quota_verdicts(ids, months) if rule.quota_met_only else None
        blocked = queries.blocked_at(ids, period.end_utc) if rule.exclude_blocked else set()
        for user_id, total, last in batch:
            if user_id not in people or user_id in blocked:
                continue
            if verdicts is not None and not qualifies(
                verdicts.get(user_id, ()), rule.exempt_months
            ):
                continue
            eligible.append(Candidate(user_id, people[user_id], total, last))
        batch.clear()

    start = effective_start(period, policy)
    if credit_totals.usable_for(period, start):
        totals = credit_totals.top(period.label)
    else:  # totals not built in this zone, or the policy began inside the period
        totals = queries.credit_totals(start, period.end_utc, with_last=rule.ties == TIES_EARLIEST)
    for row in totals:
        if len(eligible) >= rule.top_n and row[1] < eligible[rule.top_n - 1].credits:
            break  # everyone below the cut's credits cannot be ranked
        batch.append(row)
        checked += 1
        if len(batch) >= BATCH:
            settle()
    settle()
    return Computed(rank(eligible, rule.top_n, rule.ties), checked)


def freeze_ranking(
    period: Period, policy: Policy, policy_hash: str, *, actor=None, now: datetime | None = None
) -> Ranking:
    """The period's frozen ranking, computed and written now unless it exists already."""
    if period.kind not in policy.rankings.periods:
        raise RankingError(f"the policy has no {period.kind} ranking")
    existing = Ranking.objects.filter(period=period.label).first()
    if existing is not None:
        return existing
    if not is_closed(period, policy):
        raise RankingError(f"{period.label} is not closed")
    who = audit.resolve(actor)
    computed = compute(period, policy)
    ranked_ids = [row.candidate.user_id for row in computed.rows]
    units = queries.units_at(ranked_ids, period.end_utc)
    try:
        with transaction.atomic():
            ranking = Ranking.objects.create(
                period=period.label,
                kind=period.kind,
                starts_at=effective_start(period, policy),
                ends_at=period.end_utc,
                top_n=policy.rankings.top_n,
                ties=policy.rankings.ties,
                checked=computed.checked,
                policy_hash=policy_hash,
                frozen_at=now or timezone.now(),
            )
            RankingEntry.objects.bulk_create(
                [
                    RankingEntry(
                        ranking=ranking,
                        user_id=row.candidate.user_id,
                        rank=row.rank,
                        credits=row.candidate.credits,
                        unit_id=units.get(row.candidate.user_id),
                    )
                    for row in computed.rows
                ]
            )
            audit.record(
                who,
                "ranking.frozen",
                ranking,
                {
                    "period_code": period.label,
                    "count": len(computed.rows),
                    "candidate_count": computed.checked,
                },
            )
    except IntegrityError:
        # Frozen at the same moment by another runner: theirs stands.
        return Ranking.objects.get(period=period.label)
    return ranking


def periods_ending_with(month: Period, policy: Policy) -> list[Period]:
    """The ranking periods of the policy whose last month is `month`."""
    return [
        candidate
        for kind in policy.rankings.periods
        if (candidate := period_of(kind, month.start_utc, policy.tz)).end_utc == month.end_utc
    ]
