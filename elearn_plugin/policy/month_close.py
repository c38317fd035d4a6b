"""The `month_close` section: edge cases of judging a month, and the guard on mass sanctions.

Pure module (no Django). What the keys mean is in `schema.MonthCloseRule` and in
docs/configuration.md; the rules that apply them are in `elearn_plugin.rules`.
"""

from __future__ import annotations

from typing import Any

from elearn_plugin.policy.checker import BAD, Checker, Fields, leaf, ok, sub
from elearn_plugin.policy.schema import BLOCKED_DAYS_CHOICES, PART_MONTH_CHOICES, MonthCloseRule

SECTION = "month_close"
GUARD = f"{SECTION}.guard"


def month_close(check: Checker, root: Fields) -> Any:
    """`month_close` as a `MonthCloseRule`, or `BAD`."""
    fields = sub(check, root, SECTION, SECTION)
    hired = leaf(fields, "hired_mid_month", SECTION, check.one_of(PART_MONTH_CHOICES))
    left = leaf(fields, "left_mid_month", SECTION, check.one_of(PART_MONTH_CHOICES))
    blocked = leaf(fields, "blocked_days", SECTION, check.one_of(BLOCKED_DAYS_CHOICES))
    shift = leaf(fields, "shift_due_in_block", SECTION, check.boolean)
    capped = leaf(fields, "quota_capped_by_assignable", SECTION, check.boolean)
    guard_f = sub(check, fields, "guard", GUARD)
    share = leaf(guard_f, "share", GUARD, check.share)
    min_count = leaf(guard_f, "min_count", GUARD, check.at_least(0))
    if not ok(hired, left, blocked, shift, capped, share, min_count):
        return BAD
    return MonthCloseRule(
        hired_mid_month=hired,
        left_mid_month=left,
        blocked_days=blocked,
        shift_due_in_block=shift,
        quota_capped_by_assignable=capped,
        guard_share=share,
        guard_min_count=min_count,
    )
