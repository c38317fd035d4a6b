"""The pace a learner keeps towards the monthly quota (P-28)."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_plugin.rules.progress import (
    MonthProgress,
    Pace,
    elapsed_share,
    expected_by_now,
    pace_of,
)

START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


def test_the_share_of_the_month_gone():
    assert elapsed_share(START, END, START) == 0.0
    assert elapsed_share(START, END, datetime(2026, 11, 16, tzinfo=UTC)) == 0.5
    assert elapsed_share(START, END, datetime(2027, 1, 1, tzinfo=UTC)) == 1.0
    assert elapsed_share(START, END, datetime(2026, 10, 1, tzinfo=UTC)) == 0.0
    with pytest.raises(ValueError):
        elapsed_share(END, START, START)


def test_nobody_is_behind_on_the_first_and_half_the_quota_is_due_at_mid_month():  # P-28
    nothing = MonthProgress(required_completed=0, quota=2, overdue_tasks=0, blocked=False)
    assert pace_of(nothing, 0.0) is Pace.ON_PACE
    assert pace_of(nothing, 0.49) is Pace.ON_PACE
    assert pace_of(nothing, 0.5) is Pace.BEHIND
    one = MonthProgress(1, 2, 0, False)
    assert pace_of(one, 0.99) is Pace.ON_PACE
    assert pace_of(one, 1.0) is Pace.BEHIND


def test_an_overdue_task_is_behind_and_a_block_comes_first():  # P-22, P-8
    assert pace_of(MonthProgress(2, 2, 1, False), 0.1) is Pace.BEHIND
    assert pace_of(MonthProgress(0, 2, 3, True), 1.0) is Pace.BLOCKED
    assert pace_of(MonthProgress(2, 2, 0, False), 1.0) is Pace.AT_QUOTA


def test_bad_numbers_are_refused():
    with pytest.raises(ValueError):
        expected_by_now(-1, 0.5)
    with pytest.raises(ValueError):
        expected_by_now(2, 1.5)


@given(st.integers(0, 20), st.floats(0, 1), st.floats(0, 1))
def test_the_expectation_grows_with_the_month_and_never_passes_the_quota(quota, a, b):
    low, high = sorted((a, b))
    assert expected_by_now(quota, low) <= expected_by_now(quota, high) <= quota
    assert expected_by_now(quota, 1.0) == quota
