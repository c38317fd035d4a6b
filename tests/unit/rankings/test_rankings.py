"""Rankings frozen when their last month closes: the quota gate per period, contribution
points left out, blocked learners left out, ties, freezing and corrections, and periods in
the policy's zone across the year end (P-25)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.ledger import totals
from elearn_plugin.policy.loader import parse_policy
from elearn_plugin.rankings import queries
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rankings.queries import credit_totals as ledger_credit_totals
from elearn_plugin.rankings.report import ranking_report
from elearn_plugin.rankings.services import RankingError, compute, freeze_ranking
from elearn_plugin.rules.periods import period_from_label
from tests.unit.policy.helpers import variant
from tests.unit.rankings.conftest import HASH, MAR, POLICY, TZ, bonus, close, local


@pytest.fixture(autouse=True, params=["ledger", "running totals"])
def credit_source(request, db, monkeypatch):
    """Every test twice: rankings grouping the ledger, and reading the running totals the
    ledger's writer keeps from the first entry on (ADR 0014), which must not group it."""
    if request.param == "running totals":
        totals.build(TZ.key)

        def refused(*args, **kwargs):
            raise AssertionError("the ledger was grouped although the totals are built")

        monkeypatch.setattr(queries, "credit_totals", refused)
    return request.param


def ranked(label: str) -> list[tuple[int, int, Decimal]]:
    return list(
        RankingEntry.objects.filter(ranking__period=label)
        .order_by("rank", "user_id")
        .values_list("rank", "user_id", "credits")
    )


def test_closing_a_quarter_freezes_its_months_and_the_quarter(quarter):  # P-25
    assert set(Ranking.objects.values_list("period", flat=True)) == {
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-Q1",
    }
    assert AuditEvent.objects.filter(verb="ranking.frozen").count() == 4


def test_the_most_credits_but_one_month_under_quota_is_out_of_the_quarter(quarter):  # P-25
    a, b, c, p = quarter["a"], quarter["b"], quarter["c"], quarter["p"]
    # a has 14 credits in Q1 but missed the quota in February: absent from the quarter …
    assert [row[1] for row in ranked("2026-Q1")] == [b, c, p]
    assert {row[0] for row in ranked("2026-Q1")} == {1}  # equal credits share the rank
    # … and first in March, the month they met it.
    assert ranked("2026-03") == [(1, a, Decimal("12.00"))]


def test_points_are_not_credits(quarter):  # P-25: contribution points never rank
    credits = {user_id: amount for _r, user_id, amount in ranked("2026-Q1")}
    assert credits[quarter["p"]] == Decimal("4.00")


def test_a_learner_revoked_when_the_period_ends_is_left_out(quarter):  # P-25, P-23
    d = quarter["d"]
    assert d not in {row[1] for row in ranked("2026-Q1")}
    assert ranked("2026-02")[0] == (1, d, Decimal("22.00"))  # not revoked yet in February


def test_a_frozen_ranking_stays_and_lists_later_corrections(quarter):  # P-25
    b = quarter["b"]
    before = ranked("2026-Q1")
    bonus(b, "3", local(2026, 3, 15), key="late")  # recorded after the freeze
    close(MAR, now=local(2026, 4, 2))  # a re-run changes nothing
    assert freeze_ranking(period_from_label("2026-Q1", TZ), POLICY, HASH).period == "2026-Q1"
    assert ranked("2026-Q1") == before
    assert Ranking.objects.count() == 4
    report = ranking_report(period_from_label("2026-Q1", TZ), POLICY)
    assert [row["employee_id"] for row in report["rows"]] == ["E-b", "E-c", "E-p"]
    (correction,) = report["corrections"]
    assert correction["employee_id"] == "E-b"
    assert correction["published_rank"] == 1
    assert correction["published_credits"] == Decimal("4.00")
    assert correction["credits_now"] == Decimal("7.00")
    assert correction["change"] == Decimal("3.00")


def test_a_period_not_closed_has_no_ranking(quarter):  # P-25
    with pytest.raises(RankingError, match="not closed"):
        freeze_ranking(period_from_label("2026-04", TZ), POLICY, HASH)
    with pytest.raises(RankingError, match="not closed"):
        ranking_report(period_from_label("2026-H1", TZ), POLICY)
    assert not Ranking.objects.filter(period__in=["2026-04", "2026-H1"]).exists()


def test_ties_at_the_cut_are_all_in_or_ordered_by_the_earliest_total(quarter):  # P-25
    one = parse_policy(variant(("top_n: 10", "top_n: 1")))
    rows = compute(period_from_label("2026-Q1", TZ), one).rows
    assert [r.candidate.user_id for r in rows] == [quarter["b"], quarter["c"], quarter["p"]]
    earliest = parse_policy(variant(("top_n: 10", "top_n: 2"), ("ties: share", "ties: earliest")))
    bonus(quarter["c"], "0.5", local(2026, 1, 2), key="early")
    bonus(quarter["b"], "0.5", local(2026, 3, 30), key="late")
    rows = compute(period_from_label("2026-Q1", TZ), earliest).rows
    # b and c both have 4.5; c's last credit (9 February) came before b's (30 March).
    assert [(r.rank, r.candidate.user_id) for r in rows] == [(1, quarter["c"]), (2, quarter["b"])]


def test_exempt_months_can_disqualify(quarter):  # P-25
    strict = parse_policy(variant(("exempt_months: ignore", "exempt_months: disqualify")))
    # b, c and p had nothing left to do in March (exempt): out under `disqualify`.
    assert compute(period_from_label("2026-Q1", TZ), strict).rows == []


def test_the_year_is_the_policy_zone_s_year(courses, people):  # P-25
    early, late = people(2, local(2025, 12, 1))
    open_policy = parse_policy(variant(("quota_met_only: true", "quota_met_only: false")))
    bonus(early, "2", local(2026, 12, 31, 23, 30))  # 15:30 UTC on 31 December
    bonus(late, "5", local(2027, 1, 1, 0, 10))  # 16:10 UTC on 31 December: already 2027
    year = period_from_label("2026", TZ)
    assert year.end_utc - timedelta(minutes=30) == local(2026, 12, 31, 23, 30)
    assert [r.candidate.user_id for r in compute(year, open_policy).rows] == [early]
    q1_2027 = period_from_label("2027-Q1", TZ)
    assert [r.candidate.user_id for r in compute(q1_2027, open_policy).rows] == [late]


def test_nothing_before_the_policy_start_counts(courses, people):  # P-25
    (learner,) = people(1, local(2025, 6, 1))
    open_policy = parse_policy(variant(("quota_met_only: true", "quota_met_only: false")))
    bonus(learner, "9", local(2025, 12, 31, 23, 0), key="old")
    assert compute(period_from_label("2026", TZ), open_policy).rows == []


def test_the_tick_freezes_rankings_of_periods_closed_before_they_existed(quarter):  # P-25
    from elearn_plugin.rankings.jobs import freeze_missing_rankings  # noqa: PLC0415

    Ranking.objects.filter(period__in=["2026-Q1", "2026-02"]).delete()
    assert freeze_missing_rankings(local(2026, 4, 2)) == {"frozen": ["2026-02", "2026-Q1"]}
    assert [row[1] for row in ranked("2026-Q1")] == [quarter["b"], quarter["c"], quarter["p"]]
    assert freeze_missing_rankings(local(2026, 4, 3)) == {"frozen": []}


def test_corrections_of_one_unit_name_only_its_learners(quarter):  # P-25
    bonus(quarter["b"], "3", local(2026, 3, 15), key="late")  # b works in hq
    bonus(quarter["p"], "1", local(2026, 3, 16), key="late")  # p in sales
    q1 = period_from_label("2026-Q1", TZ)
    sales = ranking_report(q1, POLICY, unit_code="sales")
    assert [row["employee_id"] for row in sales["corrections"]] == ["E-p"]
    assert [row["employee_id"] for row in ranking_report(q1, POLICY)["corrections"]] == [
        "E-b",
        "E-p",
    ]


def test_credit_totals_read_page_by_page_in_order(courses, people, credit_source):  # P-25
    ids = people(5, local(2025, 12, 1))
    for n, user_id in enumerate(ids):
        bonus(user_id, str(5 - n % 3), local(2026, 5, 3), key=f"p{n}")
    year = period_from_label("2026", TZ)
    if credit_source == "running totals":  # the totals give the rows the ledger's GROUP BY does
        assert list(totals.top(year.label, page=2)) == list(
            ledger_credit_totals(year.start_utc, year.end_utc)
        )
        return
    credit_totals = ledger_credit_totals
    whole = list(credit_totals(year.start_utc, year.end_utc))
    assert list(credit_totals(year.start_utc, year.end_utc, page=2)) == whole
    assert [row[1] for row in whole] == sorted((row[1] for row in whole), reverse=True)
    assert len(whole) == 5 and all(row[2] is not None for row in whole)
    assert all(
        row[2] is None for row in credit_totals(year.start_utc, year.end_utc, with_last=False)
    )
