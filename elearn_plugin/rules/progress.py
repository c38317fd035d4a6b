"""Who is behind this month (P-28): the pace a learner should keep to meet the quota.

A learner is behind when an assigned task is overdue, or when fewer required courses are
done than the quota's share of the month already gone (rounded down), so nobody is behind on
the 1st and a learner with one course of two at mid-month is on pace. Once the month has
ended, behind means the quota was not met. A learner with a block (suspended, revoked,
frozen) is listed with the block, not as behind: they cannot study.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Pace(StrEnum):
    ON_PACE = "on_pace"
    BEHIND = "behind"
    AT_QUOTA = "at_quota"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class MonthProgress:
    required_completed: int
    quota: int
    overdue_tasks: int
    blocked: bool


def elapsed_share(start: datetime, end: datetime, now: datetime) -> float:
    """How much of [start, end) is gone at `now`, between 0 and 1."""
    total = (end - start).total_seconds()
    if total <= 0:
        raise ValueError("a period must end after it starts")
    gone = (now - start).total_seconds()
    return min(1.0, max(0.0, gone / total))


def expected_by_now(quota: int, share: float) -> int:
    """Required courses a learner keeping pace has done when `share` of the month is gone."""
    if quota < 0 or not 0.0 <= share <= 1.0:
        raise ValueError("quota must be >= 0 and share within [0, 1]")
    # A small tolerance: the last instant of the month expects the whole quota.
    return int(quota * share + 1e-9)


def pace_of(progress: MonthProgress, share: float) -> Pace:
    """The learner's pace when `share` of the month is gone (1.0: the month has ended)."""
    if progress.blocked:
        return Pace.BLOCKED
    if progress.overdue_tasks > 0:
        return Pace.BEHIND
    if progress.required_completed >= progress.quota:
        return Pace.AT_QUOTA
    if progress.required_completed < expected_by_now(progress.quota, share):
        return Pace.BEHIND
    return Pace.ON_PACE
