"""Who is ranked and in which order: the quota gate, shared ranks at the cut, the earliest
total first (P-25)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_plugin.rules.rankings import Candidate, eligible_users, qualifies, rank


def c(user_id, credits, employee_id=None, reached=None):
    return Candidate(user_id, employee_id or f"E{user_id:03d}", Decimal(credits), reached)


def test_the_gate_needs_every_judged_month_met():  # P-25
    assert qualifies([True, True, True])
    assert not qualifies([True, False, True])
    assert not qualifies([])  # never judged in the period
    assert qualifies([True, None, True])  # an exempt month neither qualifies nor disqualifies
    assert qualifies([None])
    assert not qualifies([True, None], "disqualify")
    assert eligible_users({1: [True], 2: [False], 3: [None, True]}) == {1, 3}
    with pytest.raises(ValueError):
        qualifies([True], "sometimes")


def test_equal_credits_share_a_rank_and_all_tied_at_the_cut_are_in():  # P-25
    rows = rank([c(1, 9), c(2, 8), c(3, 8), c(4, 7), c(5, 7), c(6, 7), c(7, 1)], top_n=4)
    assert [(r.rank, r.candidate.user_id) for r in rows] == [
        (1, 1),
        (2, 2),
        (2, 3),
        (4, 4),
        (4, 5),
        (4, 6),
    ]


def test_within_a_shared_rank_rows_follow_the_employee_id():  # P-25
    rows = rank([c(1, 5, "E-b"), c(2, 5, "E-a"), c(3, 5, "E-c")], top_n=1)
    assert [r.candidate.employee_id for r in rows] == ["E-a", "E-b", "E-c"]
    assert {r.rank for r in rows} == {1}


def test_earliest_gives_distinct_ranks_to_the_first_to_reach_the_total():  # P-25
    early, late = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
    rows = rank(
        [c(1, 5, reached=late), c(2, 5, reached=early), c(3, 4, reached=early)], 2, "earliest"
    )
    assert [(r.rank, r.candidate.user_id) for r in rows] == [(1, 2), (2, 1)]


def test_nothing_earned_is_not_ranked():
    assert rank([c(1, 0), c(2, -1)], top_n=10) == []


@given(st.lists(st.integers(0, 20), max_size=40), st.integers(1, 12))
def test_shared_ranks_are_competition_ranks(credits, top_n):  # P-25
    rows = rank([c(i + 1, v) for i, v in enumerate(credits)], top_n)
    positive = sorted((v for v in credits if v > 0), reverse=True)
    for row in rows:
        above = sum(1 for v in positive if v > row.candidate.credits)
        assert row.rank == above + 1 <= top_n
    # Nobody left out has as many credits as someone ranked.
    if rows:
        lowest = rows[-1].candidate.credits
        assert len(rows) == sum(1 for v in positive if v >= lowest)
