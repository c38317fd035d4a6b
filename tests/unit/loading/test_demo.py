"""`elearn_demo`: the standalone site's demo organisation, on a throw-away database."""

import json
import textwrap
import types
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError

from elearn_plugin.loading.format import read_file
from elearn_plugin.management.commands import elearn_demo
from elearn_plugin.management.commands.elearn_demo import DEMO_FILE, shift_demo_dates
from tests.helpers.devsite import run_site

ROOT = Path(__file__).resolve().parents[3]

CHECK_SITE = textwrap.dedent(
    """
    import django, json
    django.setup()
    from django.test import Client
    from elearn_plugin.org.models import Membership, Person, TrainingContact, Unit
    from elearn_plugin.courses.models import Assignment, CourseCompletion, CoursePolicy
    from elearn_plugin.standing.models import Sanction
    from elearn_plugin.month_close.models import MonthClose
    from elearn_plugin.outbox.models import OutboxMessage
    from elearn_plugin.rankings.models import Ranking
    from elearn_plugin.hours.models import UnitMonthHours

    def login(username):
        client = Client(HTTP_HOST="127.0.0.1")
        response = client.post("/login/", {"username": username, "password": "demo-pass-2026"})
        return client, response.status_code

    learner, learner_status = login("learner01")
    hr, hr_status = login("hr")
    print(json.dumps({
        "learner_login": learner_status,
        "learner_home": learner.get("/").status_code,
        "suspended_login": login("learner05")[1],
        "missed_login": login("learner42")[1],
        "revoked_login": login("learner45")[1],
        "month_sanctions": sorted(
            Sanction.objects.filter(reason_code__in=["missed_tasks", "missed_task_months"])
            .values_list("user__username", "kind")
        ),
        "quota_warnings": Sanction.objects.filter(reason_code="quota_shortfall").count(),
        "month_emails": sorted(
            set(OutboxMessage.objects.values_list("message_type", flat=True))
        ),
        "open_closes": MonthClose.objects.exclude(status="closed").count(),
        "ranked_kinds": sorted(
            set(Ranking.objects.filter(entries__isnull=False).values_list("kind", flat=True))
        ),
        "capped_units": sorted(set(
            UnitMonthHours.objects.filter(excess_seconds__gt=0, offline_seconds__gt=0)
            .values_list("unit__code", flat=True)
        )),
        "contact_login": login("contact_north")[1],
        "hr_login": hr_status,
        "hr_admin": hr.get("/admin/").status_code,
        "units": Unit.objects.count(),
        "travel_heavy": sorted(
            Unit.objects.filter(travel_heavy=True).values_list("code", flat=True)
        ),
        "people": Person.objects.count(),
        "must_change": Person.objects.filter(must_change_password=True).count(),
        "contacts": TrainingContact.objects.count(),
        "courses": CoursePolicy.objects.count(),
        "assignments": Assignment.objects.count(),
        "completions": CourseCompletion.objects.count(),
        "suspensions": Sanction.objects.filter(kind="suspension", reason_code="sharing").count(),
        "hired": Person.objects.exclude(hired_on=None).count(),
        "left": sorted(Person.objects.exclude(left_on=None).values_list("employee_id", flat=True)),
        "open_memberships": Membership.objects.filter(open_flag=True).count(),
        "learner16_units": list(
            Membership.objects.filter(user__username="learner16")
            .order_by("valid_from").values_list("unit__code", flat=True)
        ),
    }))
    """
)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    var = tmp_path_factory.mktemp("devsite-var")
    first = run_site(["manage.py", "elearn_demo", "--reset"], var)
    return var, first


def test_elearn_demo_builds_the_site_and_prints_the_logins(demo_site):
    var, result = demo_site
    assert result.returncode == 0, result.stderr[-3000:]
    assert (var / "devsite.sqlite3").exists()
    out = result.stdout
    for text in (
        "http://127.0.0.1:8000/login/",
        "http://127.0.0.1:8000/admin/",
        "http://127.0.0.1:8000/workbench/",
        "http://127.0.0.1:8000/elearn/",
        "demo-pass-2026",
        "learner01 … learner50 (50)",
        "contact_north",
    ):
        assert text in out


def test_demo_learners_log_in_and_the_suspended_one_is_refused(demo_site):
    var, first = demo_site
    assert first.returncode == 0, first.stderr[-3000:]
    check = run_site(["-c", CHECK_SITE], var)
    assert check.returncode == 0, check.stderr[-3000:]
    facts = json.loads(check.stdout.strip().splitlines()[-1])
    assert facts["learner_login"] == 302
    assert facts["learner_home"] == 200
    assert facts["contact_login"] == 302
    assert facts["hr_login"] == 302 and facts["hr_admin"] == 200
    # P-4, P-8: learner05 shared the account and is suspended for a week, starting now
    assert facts["suspended_login"] == 403
    assert facts["suspensions"] == 1
    # P-21, P-22, P-23: the ended months are closed: warnings, a suspension, a revocation
    assert facts["open_closes"] == 0
    assert facts["month_sanctions"] == [["learner42", "suspension"], ["learner45", "revocation"]]
    assert facts["quota_warnings"] > 0
    assert {"quota_warning", "task_suspension", "revocation"} <= set(facts["month_emails"])
    assert facts["missed_login"] == 403 and facts["revoked_login"] == 403
    # P-1: group root, 2 subsidiaries (one travel-heavy), 4 departments, a contact for each
    assert facts["units"] == 7 and facts["travel_heavy"] == ["north"]
    assert facts["contacts"] == 7
    assert facts["people"] == 58 and facts["must_change"] == 0
    # P-1, P-6: the demo's history: everyone's hire date, transfers, one person who left
    assert facts["hired"] == 58 and facts["left"] == ["D051"]
    assert facts["open_memberships"] == 57
    assert facts["learner16_units"] == ["hr", "north", "north_sales"]
    # the twelve of the file and the workbench course (P-17)
    assert facts["courses"] == 13
    # P-25: the closed months froze rankings of months, quarters and the half-year; P-24: a
    # unit had more online time than its classroom hours allow in a closed month
    assert {"month", "quarter", "half_year"} <= set(facts["ranked_kinds"])
    assert facts["capped_units"] == ["it"]
    assert facts["assignments"] == 104
    assert facts["completions"] > 0


def test_elearn_demo_again_without_reset_adds_nothing(demo_site):
    var, first = demo_site
    assert first.returncode == 0, first.stderr[-3000:]
    again = run_site(["manage.py", "elearn_demo"], var)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Demo data loaded (0 new records)." in again.stdout


@pytest.mark.parametrize(
    "database",
    [
        {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        {"ENGINE": "django.db.backends.mysql", "NAME": "edxapp"},
    ],
)
def test_reset_refuses_a_database_that_is_not_a_sqlite_file(monkeypatch, database):
    fake_settings = types.SimpleNamespace(DATABASES={"default": database})
    monkeypatch.setattr(elearn_demo, "settings", fake_settings)
    with pytest.raises(CommandError, match="only deletes"):
        elearn_demo.Command()._reset_database()


# --- the date shift, without a database ----------------------------------------------


def _demo():
    return read_file(DEMO_FILE)


@pytest.mark.parametrize("today", [date(2026, 11, 28), date(2027, 1, 1), date(2026, 3, 31)])
def test_deadlines_land_at_the_end_of_the_current_and_previous_month(today):
    data = shift_demo_dates(_demo(), today)
    standard = ("course-v1:ElearnDemo+ETH201+2026", "course-v1:ElearnDemo+SAFE101+2026")
    dues = {a["due"] for a in data["assignments"] if a["course_key"] in standard}
    previous = today.replace(day=1) - timedelta(days=1)
    next_first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    assert dues == {previous, next_first - timedelta(days=1)}


@pytest.mark.parametrize("today", [date(2026, 11, 28), date(2026, 11, 23), date(2027, 2, 3)])
def test_history_keeps_its_weekdays_and_the_suspension_is_in_force(today):
    original = _demo()
    data = shift_demo_dates(_demo(), today)
    for before, after in zip(original["learning_time"], data["learning_time"], strict=True):
        assert before["start"].weekday() == after["start"].weekday()  # P-18 windows stay
        assert after["end"].date() <= today
    (sanction,) = data["sanctions"]
    assert sanction["employee_id"] == "D005" and sanction["reason_code"] == "sharing"
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert sanction["start"] < noon < sanction["end"]
    assert sanction["end"] - sanction["start"] == timedelta(days=7)
