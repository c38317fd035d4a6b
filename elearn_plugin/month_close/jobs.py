"""The month close's tick job and health hook (P-16, P-21..P-23, P-33).

Every tick closes each ended month not closed yet, oldest first (a missed run catches up);
with the Celery runner it sends the chunks and returns, and a later tick re-sends only the
chunks overdue by `runner.STALE_AFTER`. Two ticks at once are kept apart by the job lock,
and a tick beside `elearn_close_period` by the close's own row locks.
"""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.conf import setting
from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.month_close.runner import close_through
from elearn_plugin.rules.periods import closed_months_between
from elearn_plugin.tick.registry import (
    register_health_problems,
    register_job,
    register_unclosed_periods,
)

JOB_NAME = "month_close.close"


@register_job(JOB_NAME)
def close_months_job(now: datetime) -> dict:
    """Close every ended, unclosed month in order; report where each stands."""
    from elearn_plugin.policy.runtime import file_digest, get_policy  # noqa: PLC0415

    policy = get_policy()
    ended = closed_months_between(None, now, policy.tz, not_before=policy.effective_from)
    if not ended:
        return {"months": {}}
    closed = set(
        MonthClose.objects.filter(status=CloseStatus.CLOSED).values_list("period", flat=True)
    )
    if all(month.label in closed for month in ended):
        return {"months": {}}
    states = close_through(
        ended[-1],
        policy,
        file_digest(),
        runner=setting("ELEARN_RULES_RUNNER"),
        now=now,
        stale_only=True,
    )
    return {"months": {state.period: state.status for state in states}}


@register_unclosed_periods
def unclosed_months(now: datetime) -> list[str]:
    """Ended months since the policy's start that are not closed (held ones included)."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    try:
        policy = get_policy()
    except Exception:  # noqa: BLE001 - the policy check reports a broken policy
        return []
    ended = closed_months_between(None, now, policy.tz, not_before=policy.effective_from)
    closed = set(
        MonthClose.objects.filter(status=CloseStatus.CLOSED).values_list("period", flat=True)
    )
    return [month.label for month in ended if month.label not in closed]


@register_health_problems
def held_months(now: datetime) -> list[str]:
    """`month_close_held:<month>` for each close the guard holds for HR, oldest first."""
    held = MonthClose.objects.filter(status=CloseStatus.HELD).values_list("period", flat=True)
    return [f"month_close_held:{label}" for label in sorted(held)]
