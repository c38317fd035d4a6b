"""P-25: who is ranked for a period, and in which order.

Pure module (no Django). The queries give each learner's credits in the period and the
quota verdicts of the months they were judged in; this decides eligibility and ranks.

- **Gate.** A learner counts only when they met the quota in every month of the period in
  which they were judged. An exempt month (`quota_met` None) neither qualifies nor
  disqualifies under `exempt_months: ignore`, and disqualifies under `disqualify`. A
  learner never judged in the period is not ranked.
- **Order.** Most credits first. Under `ties: share` learners with equal credits share a
  rank (1, 2, 2, 4) and every learner tied at the cut is included, since excluding one of
  equals would be arbitrary; under `ties: earliest` the one who reached the total first
  ranks higher (prize money follows the rank), then the employee id. Within a shared rank
  rows are ordered by employee id in code points.
- Only positive credit totals are ranked: nobody is "tenth" with nothing earned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

TIES_SHARE = "share"
TIES_EARLIEST = "earliest"
TIE_CHOICES = (TIES_SHARE, TIES_EARLIEST)
EXEMPT_IGNORE = "ignore"
EXEMPT_DISQUALIFY = "disqualify"
EXEMPT_CHOICES = (EXEMPT_IGNORE, EXEMPT_DISQUALIFY)


@dataclass(frozen=True)
class Candidate:
    """A learner's credits in the period, and when their last credit of it was earned."""

    user_id: int
    employee_id: str
    credits: Decimal
    reached_at: datetime | None = None


@dataclass(frozen=True)
class Ranked:
    rank: int
    candidate: Candidate


def qualifies(verdicts: Iterable[bool | None], exempt_months: str = EXEMPT_IGNORE) -> bool:
    """Whether the quota verdicts of a learner's judged months admit them to a ranking."""
    if exempt_months not in EXEMPT_CHOICES:
        raise ValueError(f"exempt_months must be one of {', '.join(EXEMPT_CHOICES)}")
    seen = False
    for met in verdicts:
        seen = True
        if met is None:
            if exempt_months == EXEMPT_DISQUALIFY:
                return False
        elif not met:
            return False
    return seen


def eligible_users(
    verdicts_by_user: Mapping[int, Iterable[bool | None]], exempt_months: str = EXEMPT_IGNORE
) -> set[int]:
    """The users whose judged months admit them (`qualifies`)."""
    return {uid for uid, verdicts in verdicts_by_user.items() if qualifies(verdicts, exempt_months)}


def _sort_key(ties: str):
    if ties == TIES_EARLIEST:

        def key(c: Candidate):
            reached = c.reached_at.timestamp() if c.reached_at else float("inf")
            return (-c.credits, reached, c.employee_id, c.user_id)

        return key
    return lambda c: (-c.credits, c.employee_id, c.user_id)


def rank(candidates: Iterable[Candidate], top_n: int, ties: str = TIES_SHARE) -> list[Ranked]:
    """The ranked rows: the top `top_n` (more under `share` when tied at the cut)."""
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    if ties not in TIE_CHOICES:
        raise ValueError(f"ties must be one of {', '.join(TIE_CHOICES)}")
    ordered = sorted((c for c in candidates if c.credits > 0), key=_sort_key(ties))
    rows: list[Ranked] = []
    for position, candidate in enumerate(ordered, start=1):
        if ties == TIES_SHARE:
            if rows and rows[-1].candidate.credits == candidate.credits:
                current = rows[-1].rank
            else:
                current = position
        else:
            current = position
        if current > top_n:
            break
        rows.append(Ranked(current, candidate))
    return rows


def cut_credits(rows: list[Ranked], top_n: int) -> Decimal | None:
    """The lowest credits still ranked once `top_n` rows exist, else None (all ranked).

    The caller reads candidates in descending credits in batches and can stop once it has
    checked every candidate with at least this many credits.
    """
    if len(rows) < top_n:
        return None
    return rows[-1].candidate.credits
