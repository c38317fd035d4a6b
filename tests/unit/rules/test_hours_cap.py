"""The hours cap at its edges, exact arithmetic and the roll-up into cap-level units (P-24)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_plugin.rules.hours_cap import (
    UnitNode,
    cap_row,
    cap_rows,
    cap_unit_of,
    counted_online_seconds,
    hours,
)

H = 3600
R30, R50 = Fraction(3, 10), Fraction(1, 2)


def test_no_offline_hours_count_no_online_hours():  # P-24
    assert counted_online_seconds(40 * H, 0, R30) == 0
    row = cap_row(1, 40 * H, 0, R30)
    assert (row.counted_seconds, row.excess_seconds, row.share) == (0, 40 * H, 0)


def test_all_online_below_the_cap_counts_whole():  # P-24
    row = cap_row(1, 10 * H, 70 * H, R30)
    assert row.counted_seconds == 10 * H and row.excess_seconds == 0


def test_exactly_at_the_cap_is_at_the_cap():  # P-24: 30 online beside 70 offline is 30 %
    row = cap_row(1, 30 * H, 70 * H, R30)
    assert row.counted_seconds == 30 * H and row.excess_seconds == 0
    assert row.share == Fraction(3, 10)
    one_more = cap_row(1, 30 * H + 1, 70 * H, R30)
    assert one_more.counted_seconds == 30 * H and one_more.excess_seconds == 1


def test_travel_heavy_units_may_reach_half():  # P-24
    assert counted_online_seconds(100 * H, 60 * H, R50) == 60 * H
    assert counted_online_seconds(100 * H, 60 * H, R30) == int(Fraction(3, 7) * 60 * H)


def test_hours_are_rounded_half_up_to_cents():
    assert hours(5400) == Decimal("1.50")
    assert hours(18) == Decimal("0.01")  # 0.005 h
    assert hours(17) == Decimal("0.00")


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        counted_online_seconds(-1, 10, R30)
    with pytest.raises(ValueError):
        counted_online_seconds(1, 10, Fraction(3, 2))
    with pytest.raises(ValueError):
        cap_unit_of([], -1)


def test_children_roll_up_into_the_cap_level_and_higher_units_keep_their_own_row():  # P-24
    root = UnitNode(1, 0, (1,))
    north = UnitNode(2, 1, (1, 2))
    north_sales = UnitNode(3, 2, (1, 2, 3))
    deep = UnitNode(4, 3, (1, 2, 3, 4))
    south = UnitNode(5, 1, (1, 5))
    cap_unit = cap_unit_of([root, north, north_sales, deep, south], level=1)
    assert cap_unit == {1: 1, 2: 2, 3: 2, 4: 2, 5: 5}
    rows = cap_rows(
        {1: (H, 2 * H), 2: (10 * H, 0), 3: (10 * H, 20 * H), 4: (0, 30 * H), 5: (5 * H, 0)},
        cap_unit,
        travel_heavy={2},
        default_share=R30,
        travel_heavy_share=R50,
    )
    by_unit = {row.unit_id: row for row in rows}
    assert sorted(by_unit) == [1, 2, 5]
    assert (by_unit[2].online_seconds, by_unit[2].offline_seconds) == (20 * H, 50 * H)
    assert by_unit[2].counted_seconds == 20 * H  # travel-heavy: up to 50 h beside 50 h
    assert by_unit[5].counted_seconds == 0  # no classroom time at all
    assert by_unit[1].cap_share == R30 and by_unit[2].cap_share == R50


@given(
    online=st.integers(0, 10**7),
    offline=st.integers(0, 10**7),
    share=st.fractions(min_value=0, max_value=1, max_denominator=100),
)
def test_counted_never_exceeds_online_nor_the_share(online, offline, share):  # P-24
    row = cap_row(1, online, offline, share)
    assert 0 <= row.counted_seconds <= online
    assert row.counted_seconds + row.excess_seconds == online
    assert row.share <= share or row.counted_seconds == 0
    if offline and share < 1:
        # One more second would pass the cap unless all online time already counts.
        assert (
            row.counted_seconds == online
            or Fraction(row.counted_seconds + 1, row.counted_seconds + 1 + offline) > share
        )
