"""`elearn_close_period` and the tick job: exit codes, dry runs, what-ifs and catch-up
(P-16, P-21, P-22, P-23, P-33)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.standing.models import Sanction
from elearn_plugin.tick.services import run_tick
from tests.unit.month_close.conftest import R1, R2, R3, assign, local
from tests.unit.policy.helpers import DEFAULT_TEXT, variant

APRIL = local(2026, 4, 2, 9)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("elearn_close_period", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return (
        MonthClose.objects.count(),
        Standing.objects.count(),
        Sanction.objects.count(),
        OutboxMessage.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def missers(courses, people):
    learners = people(2, local(2025, 12, 1))
    for learner in learners:
        assign(
            learner, (R1, local(2026, 3, 10)), (R2, local(2026, 3, 11)), (R3, local(2026, 3, 12))
        )
    return learners


@freeze_time(APRIL)
def test_close_period_closes_every_month_through_the_one_named(missers):
    # P-22, P-33: January..March closed in order; exit 0; the suspension imposed by the command.
    out, _err = run("--period", "2026-03")
    assert "2026-03: closed" in out and "2026-03 is closed." in out
    assert list(MonthClose.objects.order_by("period").values_list("period", "status")) == [
        ("2026-01", "closed"),
        ("2026-02", "closed"),
        ("2026-03", "closed"),
    ]
    assert Sanction.objects.filter(kind="suspension").count() == 2
    actors = set(
        AuditEvent.objects.filter(verb="sanction.imposed").values_list("actor_system", flat=True)
    )
    assert actors == {"command:elearn_close_period"}
    before = counts()
    out, _err = run("--period", "2026-03")  # already closed: nothing changes
    assert counts() == before and "2026-03 is closed." in out


@freeze_time(APRIL)
@pytest.mark.parametrize(
    "label, message",
    [
        ("2026-13", "month must be 01..12"),
        ("Oct", "not a period label"),
        ("2026-Q1", "not a month"),
        ("2026-04", "has not ended"),
        ("2025-12", "before the policy's effective_from"),
    ],
)
def test_bad_periods_exit_2_and_change_nothing(missers, label, message):
    before = counts()
    with pytest.raises(CommandError, match=message) as caught:
        run("--period", label)
    assert caught.value.returncode == 2
    assert counts() == before


@freeze_time(APRIL)
def test_a_broken_policy_file_exits_2(missers, tmp_path, settings):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        DEFAULT_TEXT.replace("required_courses_per_month: 2", "required_courses_per_month: two")
    )
    before = counts()
    with pytest.raises(CommandError) as caught:
        run("--period", "2026-03", "--policy", str(broken))
    assert caught.value.returncode == 2 and "required_courses_per_month" in str(caught.value)
    settings.ELEARN_POLICY_FILE = str(broken)
    with pytest.raises(CommandError) as caught:
        run("--period", "2026-03")
    assert caught.value.returncode == 2
    missing = tmp_path / "absent.yaml"
    with pytest.raises(CommandError) as caught:
        run("--period", "2026-03", "--policy", str(missing))
    assert caught.value.returncode == 2
    assert counts() == before


@freeze_time(APRIL)
def test_dry_run_prints_the_standings_and_writes_nothing(missers):
    # P-22: the rows HR would get, before anything is imposed.
    before = counts()
    out, _err = run("--period", "2026-03", "--dry-run")
    data = json.loads(out)
    assert counts() == before
    assert data["period"] == "2026-03" and data["closed"] is False
    assert {tuple(row["consequences"]) for row in data["rows"]} == {
        ("quota_warning", "missed_tasks_suspension")
    }


@freeze_time(APRIL)
def test_another_policy_shows_what_it_would_decide(missers, tmp_path):
    # P-22: "what if four misses suspended?" — nobody would be suspended; nothing is written.
    other = tmp_path / "other.yaml"
    other.write_text(variant(("per_month_to_suspend: 3", "per_month_to_suspend: 4")))
    before = counts()
    out, _err = run("--period", "2026-03", "--policy", str(other))
    assert counts() == before
    rows = json.loads(out)["rows"]
    assert all("missed_tasks_suspension" not in row["consequences"] for row in rows)
    assert all(row["missed_tasks"] == 3 for row in rows)


@freeze_time(APRIL)
def test_a_held_close_exits_3_until_confirmed(missers, tmp_path, settings):
    # P-33: the guard holds two suspensions out of two learners; --confirm applies them.
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        variant(("  share: 0.05", "  share: 0.1"), ("  min_count: 10", "  min_count: 1"))
    )
    settings.ELEARN_POLICY_FILE = str(strict)
    with pytest.raises(SystemExit) as caught:
        run("--period", "2026-03")
    assert caught.value.code == 3
    assert MonthClose.objects.get(period="2026-03").status == CloseStatus.HELD
    assert not Sanction.objects.filter(kind="suspension").exists()
    run("--period", "2026-03", "--confirm")
    assert MonthClose.objects.get(period="2026-03").status == CloseStatus.CLOSED
    assert Sanction.objects.filter(kind="suspension").count() == 2
    confirmed = AuditEvent.objects.get(verb="month_close.confirmed")
    assert confirmed.actor_system == "command:elearn_close_period"


def test_the_tick_catches_up_on_every_ended_month(missers):
    # P-33: a tick after a long pause closes January..March in order; a second closes nothing.
    report = run_tick(now=APRIL, only=["month_close.close"])
    summary = report.jobs["month_close.close"].summary
    assert summary == {"months": {"2026-01": "closed", "2026-02": "closed", "2026-03": "closed"}}
    before = counts()
    report = run_tick(now=APRIL, only=["month_close.close"])
    assert report.jobs["month_close.close"].summary == {"months": {}}
    assert counts() == before
    actors = set(
        AuditEvent.objects.filter(verb="month_close.closed").values_list("actor_system", flat=True)
    )
    assert actors == {"job:month_close.close"}
