"""HR's compliance dashboard: its figures on a small organisation, the month and unit it is
asked for, and the query count that must not grow with the learners (P-21..P-25, P-31)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.staff import dashboard
from elearn_plugin.standing import services as standing
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.staff.conftest import NOW, POLICY, R1, R2, TZ

PAGE = reverse("elearn:staff-dashboard")
NOVEMBER, OCTOBER = period_from_label("2026-11", TZ), period_from_label("2026-10", TZ)


@pytest.fixture
def org_now(request, db):
    """The staff organisation, made under the frozen clock so that its rows are this month's."""
    with freeze_time(NOW):
        made = request.getfixturevalue("staff_org")
        yield made


def held_october(units_and_quota):
    """October judged and held for HR: `(user, unit, quota met)` standings."""
    close = MonthClose.objects.create(
        period="2026-10", status=CloseStatus.HELD, policy_hash="h", decided_at=NOW
    )
    Standing.objects.bulk_create(
        Standing(
            close=close,
            period="2026-10",
            user=user,
            unit=unit,
            required_completed=2 if met else 0,
            quota=2,
            quota_met=met,
            missed_tasks=0,
            months_with_misses=0,
            judged_at=NOW,
        )
        for user, unit, met in units_and_quota
    )
    return close


def test_open_month_quota_overdue_and_suspension_per_unit(org_now):  # P-16, P-21, P-22
    figures = dashboard.figures(NOVEMBER, POLICY, dashboard.Scope(), NOW)
    rows = {row["unit"]: row for row in figures["units"]}
    assert figures["state"] == "open"
    # Sales: contact, behind, on pace, done, suspended and the newcomer; only `done` has two.
    assert (rows["sales"]["learners"], rows["sales"]["met"]) == (6, 1)
    assert rows["sales"]["share"] == Decimal("16.7")
    assert (rows["support"]["learners"], rows["support"]["met"]) == (1, 0)
    assert rows["sales"]["overdue"] == 1 and rows["support"]["overdue"] == 0
    assert rows["sales"]["suspension_active"] == 1 and rows["sales"]["suspension_month"] == 1
    assert figures["total"]["learners"] == 7 and figures["total"]["share"] == Decimal("14.3")
    assert figures["queues"]["held_closes"] == []
    # hq and support have no contact of their own; sales is covered.
    assert {code for code, _name in figures["uncovered"]} == {"hq", "support"}


def test_a_months_warnings_count_for_the_month_they_judge(org_now):  # P-21
    # October's close warns in November: the warning is October's, not November's.
    with freeze_time(NOW):
        standing.impose(org_now.behind.pk, "warning", "quota_shortfall", "quota:2026-10")
        standing.impose(org_now.done.pk, "warning", "hr_note", "hr:1")
    october = dashboard.figures(OCTOBER, POLICY, dashboard.Scope(), NOW)
    november = dashboard.figures(NOVEMBER, POLICY, dashboard.Scope(), NOW)
    sales_oct = {row["unit"]: row for row in october["units"]}["sales"]
    sales_nov = {row["unit"]: row for row in november["units"]}["sales"]
    assert sales_oct["warning_month"] == 1  # the close's warning
    assert sales_nov["warning_month"] == 1  # HR's own, created in November


def test_requests_and_feedback_waiting_for_hr_are_counted(org_now):  # P-29
    from elearn_plugin.feedback.models import FeedbackItem

    late, early = NOW - timedelta(days=1), NOW + timedelta(days=2)
    for user, due in ((org_now.behind, late), (org_now.done, early), (org_now.elsewhere, late)):
        FeedbackItem.objects.create(user=user, kind="feedback", subject="s", due_at=due)
    with freeze_time(NOW):
        everyone = dashboard.figures(NOVEMBER, POLICY, dashboard.Scope(), NOW)["queues"]
        sales = dashboard.figures(NOVEMBER, POLICY, dashboard.resolve_scope("sales"), NOW)["queues"]
    assert (everyone["feedback_open"], everyone["feedback_late"]) == (3, 2)
    assert (sales["feedback_open"], sales["feedback_late"]) == (2, 1)


def test_a_judged_month_reads_its_standings(org_now):  # P-21
    held_october([(org_now.done, org_now.sales, True), (org_now.behind, org_now.sales, True),
                  (org_now.elsewhere, org_now.support, False)])  # fmt: skip
    figures = dashboard.figures(OCTOBER, POLICY, dashboard.Scope(), NOW)
    rows = {row["unit"]: row for row in figures["units"]}
    assert figures["state"] == "held"
    assert rows["sales"]["share"] == Decimal("100.0")  # the unit at quota
    assert rows["support"]["share"] == Decimal("0.0")  # the one behind
    assert figures["queues"]["held_closes"] == ["2026-10"]
    trend = {p["period"]: p for p in figures["trend"]}
    assert len(figures["trend"]) == 12 and trend["2026-10"]["share"] == Decimal("66.7")
    assert trend["2026-09"]["share"] is None and not trend["2026-10"]["open"]
    # November's bar is the open month, counted so far.
    november = dashboard.figures(NOVEMBER, POLICY, dashboard.Scope(), NOW)["trend"]
    assert november[-1] == {"period": "2026-11", "learners": 7, "met": 1,
                            "share": Decimal("14.3"), "open": True}  # fmt: skip
    assert november[-2]["share"] == Decimal("66.7")


def test_a_unit_narrows_every_figure_to_its_subtree(org_now):  # P-31
    scope = dashboard.resolve_scope("support")
    figures = dashboard.figures(NOVEMBER, POLICY, scope, NOW)
    assert [row["unit"] for row in figures["units"]] == ["support"]
    assert figures["total"]["overdue"] == 0 and figures["total"]["suspension_active"] == 0
    with pytest.raises(dashboard.DashboardError) as raised:
        dashboard.resolve_scope("nowhere")
    assert raised.value.status == 404


def test_the_month_is_asked_as_yyyy_mm():
    assert dashboard.resolve_period(None, POLICY, NOW).label == "2026-11"
    assert dashboard.resolve_period("2026-03", POLICY, NOW).label == "2026-03"
    for bad in ("2026-13", "2026", "2026-Q1", "x", "2026-12"):
        with pytest.raises(dashboard.DashboardError) as raised:
            dashboard.resolve_period(bad, POLICY, NOW)
        assert raised.value.status == 400


def test_hours_carry_the_cap_in_hours(org_now):  # P-24
    LearningActivity.objects.create(
        user=org_now.done, unit_id=org_now.sales.pk, course_key="", kind="classroom",
        source_key="room-1", started_at=NOW - timedelta(days=2),
        ended_at=NOW - timedelta(days=2) + timedelta(hours=7), seconds=7 * 3600,
        classification="work",
    )  # fmt: skip
    (row,) = dashboard.hours_rows(NOVEMBER, POLICY, dashboard.Scope())
    assert row["unit"] == "sales" and row["online_hours"] == Decimal("1.50")
    # 30 % of the total: 3/7 of the 7 classroom hours may be online.
    assert row["cap_hours"] == Decimal("3.00") and row["counted_online_hours"] == Decimal("1.50")


def test_the_page_shows_the_figures_to_hr(client, org_now):  # P-21, P-22
    held_october([(org_now.done, org_now.sales, True)])
    client.force_login(org_now.hr)
    with freeze_time(NOW):
        response = client.get(PAGE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Learners at quota" in page and "14.3%" in page
    assert "Held month closes" in page and "2026-10" in page
    assert page.count('src="data:image/svg+xml;base64,') == 2 and "Show as table" in page
    assert 'alt="Learners at quota, last 12 months"' in page
    assert reverse("elearn:staff-dashboard-export", args=["compliance", "csv"]) in page


def test_bad_requests_get_a_clear_answer(client, org_now):
    client.force_login(org_now.hr)
    with freeze_time(NOW):
        bad = client.get(PAGE, {"period": "2026-99"})
        unknown = client.get(PAGE, {"unit": "nowhere"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()
    assert unknown.status_code == 404 and "nowhere" in unknown.content.decode()


def test_a_hostile_unit_name_is_escaped(client, org_now):  # P-32
    evil, _ = org.create_unit("evil", "<script>alert(1)</script>", parent_id=org_now.hq.pk)
    learner = org_now.elsewhere
    Person.objects.filter(user=learner).update(unit=evil)
    LearningActivity.objects.create(
        user=learner, unit_id=evil.pk, course_key=R1, kind="video", source_key="e1",
        started_at=NOW - timedelta(days=1), ended_at=NOW - timedelta(hours=23), seconds=3600,
        classification="off_hours",
    )  # fmt: skip
    Membership.objects.filter(user=learner).update(unit=evil)
    client.force_login(org_now.hr)
    with freeze_time(NOW):
        page = client.get(PAGE).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def _learners(count: int, unit, close) -> None:
    """`count` learners with a completion, an overdue task, a warning, a standing and a rank."""
    ranking = Ranking.objects.get_or_create(
        period="2026-10", kind="month", starts_at=NOW - timedelta(days=50),
        ends_at=NOW - timedelta(days=19), top_n=10, ties="share", policy_hash="h",
        frozen_at=NOW - timedelta(days=19),
    )[0]  # fmt: skip
    from django.contrib.auth import get_user_model

    for n in range(count):
        user = get_user_model().objects.create_user(username=f"q{unit.code}{n}")
        Person.objects.create(user=user, employee_id=f"Q{unit.code}{n}", name=f"Q {n}", unit=unit)
        Membership.objects.create(user=user, unit=unit, valid_from=NOW - timedelta(days=90))
        CourseCompletion.objects.create(
            user=user, course_key=R1, completed_at=NOW - timedelta(days=1), source="verified"
        )
        Assignment.objects.create(
            user=user, course_key=R2, due_at=NOW - timedelta(days=1), source="hr"
        )
        standing.impose(user.pk, "warning", "quota", f"q:{n}")
        Standing.objects.create(
            close=close,
            period="2026-10",
            user=user,
            unit=unit,
            required_completed=1,
            quota=2,
            quota_met=n % 2 == 0,
            missed_tasks=0,
            months_with_misses=0,
            judged_at=NOW,
        )
        RankingEntry.objects.create(
            ranking=ranking, user=user, rank=n + 1, credits=Decimal(n), unit=unit
        )


def _queries(client, user) -> int:
    cache.clear()
    client.force_login(user)
    with freeze_time(NOW), CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_learners(client, org_now):  # design: set-based
    close = held_october([])
    _learners(3, org_now.sales, close)
    few = _queries(client, org_now.hr)
    _learners(27, org_now.support, close)
    many = _queries(client, org_now.hr)
    assert few == many, f"{few} queries for 3 learners, {many} for 30"


def test_dashboard_page_matrix(client, role_users):  # noqa: F811 - P-31: HR only
    refused = {role: 403 for role in ("learner", "other_learner", "contact", "other_contact")}
    refused |= {"reviewer": 403, "publisher": 403, "blocked": 403, "anonymous": 302}
    assert_role_matrix(client, "get", PAGE, refused | {"hr": 200})
    client.logout()
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert response["Location"].endswith("?next=/elearn/hr/")
