"""The rankings and the hours cap on MariaDB: the GROUP BY read from the top with HAVING, the
correlated membership subquery, and the freeze inside the closing transaction work there as
on SQLite (P-24, P-25)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.learning.activities import ActivitySpec, record_activities_bulk
from elearn_plugin.learning.classroom import ClassroomSessionSpec, record_classroom_session
from elearn_plugin.org import services as org
from elearn_plugin.rankings.models import RankingEntry
from elearn_plugin.rankings.report import ranking_report
from elearn_plugin.rules.periods import period_from_label
from tests.unit.month_close.conftest import courses, people, units  # noqa: F401 (fixtures)
from tests.unit.rankings.conftest import POLICY, TZ, bonus, close, local, quarter  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_quarter_is_frozen_and_reported_on_mariadb(quarter):  # noqa: F811  P-25
    entries = list(
        RankingEntry.objects.filter(ranking__period="2026-Q1")
        .order_by("rank", "user_id")
        .values_list("rank", "user_id", "credits")
    )
    assert entries == [
        (1, quarter["b"], Decimal("4.00")),
        (1, quarter["c"], Decimal("4.00")),
        (1, quarter["p"], Decimal("4.00")),
    ]
    bonus(quarter["b"], "3", local(2026, 3, 15), key="late")
    report = ranking_report(period_from_label("2026-Q1", TZ), POLICY)
    assert [row["employee_id"] for row in report["corrections"]] == ["E-b"]


def test_hours_follow_the_membership_on_mariadb(people, units):  # noqa: F811  P-24, P-6
    seller, mover = people(2, local(2025, 12, 1))
    org.set_units_bulk(
        [(seller, units["sales"].id), (mover, units["sales"].id)], local(2025, 12, 1)
    )
    org.set_units_bulk([(mover, units["hq"].id)], local(2026, 1, 15))
    start = local(2026, 1, 10, 19)
    record_activities_bulk(
        [
            ActivitySpec(mover, "video", "m1", start, start + timedelta(hours=2)),
            ActivitySpec(mover, "video", "m2", local(2026, 1, 20, 19), local(2026, 1, 20, 20)),
            ActivitySpec(seller, "other", "s1", start, start + timedelta(hours=3)),
        ]
    )
    record_classroom_session(
        ClassroomSessionSpec("talk", "Talk", "Sun Li", local(2026, 1, 12, 14), 7 * 3600), [seller]
    )
    close(period_from_label("2026-01", TZ), now=local(2026, 2, 1, 0, 5))
    rows = dict(
        UnitMonthHours.objects.filter(period="2026-01").values_list("unit__code", "online_seconds")
    )
    assert rows == {"sales": 5 * 3600, "hq": 3600}
    sales = UnitMonthHours.objects.get(period="2026-01", unit__code="sales")
    assert sales.counted_seconds == 3 * 3600  # 30 %: up to 3 h beside 7 h
