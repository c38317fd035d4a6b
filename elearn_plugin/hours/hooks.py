"""A closed month records its hours cap per unit (`on_month_closed`, P-24), in the closing
transaction and under the policy the tick runs with; keyed by month, so written once."""

from __future__ import annotations

from elearn_plugin.hours.services import record_month_hours
from elearn_plugin.month_close.registry import on_month_closed
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.rules.periods import period_from_label


@on_month_closed
def record_closed_month_hours(close) -> None:
    policy = get_policy()
    record_month_hours(close, period_from_label(close.period, policy.tz), policy)
