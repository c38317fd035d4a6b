"""A month's verdict as the month close stores it: the standing's values and its evidence.

Apart from `rules.month_verdicts`, which decides it, so that each module stays small; the
verdict module re-exports `Verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from elearn_plugin.rules.month_verdicts import MissedTask


@lru_cache(maxsize=4096)
def _iso(when: datetime) -> str:
    # Cached: a close writes the same due dates and suspension ends for thousands of learners.
    return (when if when.tzinfo is UTC else when.astimezone(UTC)).isoformat()


@dataclass(frozen=True)
class Verdict:
    """One learner's month: what the standing row shows and what each consequence stores."""

    user_id: int
    period_label: str
    quota_required: int | None
    required_completed: int
    quota_met: bool | None
    missed: tuple[MissedTask, ...]
    months_with_misses: int
    consequences: tuple[str, ...]
    exempt: str | None
    suspension_starts_at: datetime | None = None
    suspension_ends_at: datetime | None = None
    completions: tuple[tuple[str, datetime], ...] = ()
    miss_months: tuple[str, ...] = ()

    def evidence(self) -> dict[str, Any]:
        """JSON-ready facts behind the consequences: ids, course keys, labels, ISO UTC times."""
        return {
            "user_id": self.user_id,
            "period": self.period_label,
            "exempt": self.exempt,
            "quota_required": self.quota_required,
            "required_completed": self.required_completed,
            "quota_met": self.quota_met,
            "completions": [
                {"course_key": key, "completed_at": _iso(when)} for key, when in self.completions
            ],
            "missed": [
                {
                    "course_key": task.course_key,
                    "due_at": _iso(task.due_at),
                    "original_due_at": _iso(task.original_due_at),
                }
                for task in self.missed
            ],
            "months_with_misses": self.months_with_misses,
            "miss_months": list(self.miss_months),
            "consequences": list(self.consequences),
            "suspension_starts_at": (
                _iso(self.suspension_starts_at) if self.suspension_starts_at else None
            ),
            "suspension_ends_at": _iso(self.suspension_ends_at)
            if self.suspension_ends_at
            else None,
        }
