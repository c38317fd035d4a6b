"""A closed month freezes every ranking whose last month it is (`on_month_closed`, P-25).

It runs in the transaction that closes the month, under the policy the tick runs with, and
is keyed by period, so a re-run of a failed close freezes each ranking once.
"""

from __future__ import annotations

from elearn_plugin.month_close.registry import on_month_closed
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.rankings.services import freeze_ranking, periods_ending_with
from elearn_plugin.rules.periods import period_from_label


@on_month_closed
def freeze_completed_rankings(close) -> None:
    policy = get_policy()
    month = period_from_label(close.period, policy.tz)
    for period in periods_ending_with(month, policy):
        freeze_ranking(period, policy, close.policy_hash)
