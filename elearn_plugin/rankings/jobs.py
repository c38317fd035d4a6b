"""The rankings' tick job: freeze every ranking whose months are all closed but which has
none yet (P-25, P-33).

The month close's hook freezes rankings as their last month closes; this catches up the
periods closed before a ranking kind was added to the policy, or before the rankings
existed. Each freeze is keyed by period, so a repeated tick freezes nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.rankings.models import Ranking
from elearn_plugin.rankings.services import freeze_ranking, periods_ending_with
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.tick.registry import register_job

JOB_NAME = "rankings.freeze"


@register_job(JOB_NAME)
def freeze_missing_rankings(now: datetime) -> dict:
    """Freeze, oldest first, the rankings of closed periods that have none."""
    from elearn_plugin.policy.runtime import file_digest, get_policy  # noqa: PLC0415

    policy = get_policy()
    closes = dict(
        MonthClose.objects.filter(status=CloseStatus.CLOSED).values_list("period", "policy_hash")
    )
    frozen = set(Ranking.objects.values_list("period", flat=True))
    due = []
    for label in sorted(closes):
        month = period_from_label(label, policy.tz)
        due += [p for p in periods_ending_with(month, policy) if p.label not in frozen]
    done = []
    for period in sorted(due, key=lambda p: p.end_utc):  # stable: months before longer periods
        freeze_ranking(period, policy, file_digest())
        done.append(period.label)
    return {"frozen": done}
