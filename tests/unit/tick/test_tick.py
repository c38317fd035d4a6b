"""The tick: each job once under its lock, failures recorded, health reported (P-33)."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.services import enqueue
from elearn_plugin.tick import locks, registry
from elearn_plugin.tick.locks import job_lock
from elearn_plugin.tick.models import JobLock, JobState
from elearn_plugin.tick.services import BUSY, ERROR, OK, UnknownJob, health, run_tick


@pytest.fixture
def jobs(db):
    """A clean registry with two test jobs; the real registry is restored afterwards."""
    registry.discover_jobs()
    saved = dict(registry.JOBS)
    saved_hooks = list(registry.UNCLOSED_PERIOD_HOOKS)
    registry.JOBS.clear()
    registry.UNCLOSED_PERIOD_HOOKS.clear()
    saved_problem_hooks = list(registry.PROBLEM_HOOKS)
    registry.PROBLEM_HOOKS.clear()
    calls: list[str] = []

    @registry.register_job("alpha")
    def alpha(now):
        calls.append("alpha")
        return {"done": 1, "at": now}

    @registry.register_job("beta")
    def beta(now):
        calls.append("beta")
        return {"done": 2}

    yield calls
    registry.JOBS.clear()
    registry.JOBS.update(saved)
    registry.UNCLOSED_PERIOD_HOOKS[:] = saved_hooks
    registry.PROBLEM_HOOKS[:] = saved_problem_hooks


def test_each_job_runs_once_and_its_state_is_recorded(jobs):
    # P-33
    report = run_tick()
    assert jobs == ["alpha", "beta"]
    assert report.ok
    assert report.jobs["alpha"].status == OK
    assert report.jobs["alpha"].summary["done"] == 1
    state = JobState.objects.get(name="alpha")
    assert state.last_ok is True and state.runs == 1 and state.last_finished_at
    json.dumps(report.as_dict())  # JSON-ready


def test_a_held_lock_makes_the_second_tick_skip_the_job(jobs):
    # P-33: two ticks at once never run a job twice
    with job_lock("alpha") as got:
        assert got is True
        report = run_tick()
    assert report.jobs["alpha"].status == BUSY
    assert report.jobs["beta"].status == OK
    assert jobs == ["beta"]
    assert run_tick(only="alpha").jobs["alpha"].status == OK  # released afterwards


def test_a_lease_lock_is_exclusive_and_an_expired_lease_can_be_taken(jobs, settings):
    settings.ELEARN_TICK_LOCK = "lease"  # the fallback, tested on every database
    settings.ELEARN_TICK_LEASE_SECONDS = 60
    with locks._lease_lock("gamma", "default") as first:
        with locks._lease_lock("gamma", "default") as second:
            assert (first, second) == (True, False)
    with job_lock("gamma") as first:
        with job_lock("gamma") as second:  # the same thread, on every backend
            assert (first, second) == (True, False)
    # a process killed while holding the lease: the row stays, the lease runs out
    JobLock.objects.filter(name="gamma").update(
        holder="dead-process", expires_at=timezone.now() - timedelta(seconds=1)
    )
    with job_lock("gamma") as got:
        assert got is True
    JobLock.objects.filter(name="gamma").update(
        holder="live-process", expires_at=timezone.now() + timedelta(minutes=5)
    )
    with job_lock("gamma") as got:
        assert got is False


def test_a_failing_job_is_recorded_and_the_others_still_run(jobs):
    # P-33
    @registry.register_job("broken")
    def broken(now):
        raise RuntimeError("learner li.lei@example.com broke it")

    report = run_tick()
    assert report.jobs["broken"].status == ERROR
    assert report.jobs["broken"].error == "RuntimeError"  # no personal data from the message
    assert not report.ok
    assert jobs == ["alpha", "beta"]
    state = JobState.objects.get(name="broken")
    assert state.last_ok is False and state.failures == 1
    assert "example.com" not in state.last_error


def test_a_job_returning_no_dict_is_an_error(jobs):
    registry.register_job("nodict")(lambda now: ["x"])
    assert run_tick(only="nodict").jobs["nodict"].status == ERROR


def test_only_selects_jobs_and_refuses_unknown_names(jobs):
    assert set(run_tick(only=["beta"]).jobs) == {"beta"}
    assert jobs == ["beta"]
    with pytest.raises(UnknownJob, match="nosuch"):
        run_tick(only="nosuch")
    assert jobs == ["beta"]


def test_register_job_refuses_bad_names_and_duplicates(jobs):
    with pytest.raises(ValueError):
        registry.register_job("Bad Name")
    with pytest.raises(ValueError, match="already registered"):
        registry.register_job("alpha")(lambda now: {})


def test_the_outbox_sender_is_a_registered_job(db):
    assert "outbox" in registry.discover_jobs()


def test_health_reports_tick_outbox_and_periods(jobs, make_user, settings):
    settings.ELEARN_OUTBOX_MAX_ATTEMPTS = 2
    report = health()
    assert report["healthy"] is False
    assert "tick_never_ran" in report["problems"]
    registry.register_unclosed_periods(lambda now: ["2026-01"])
    run_tick()
    report = health()
    assert report["healthy"] is True, report["problems"]
    assert report["last_tick_at"]
    assert report["jobs"]["alpha"]["ok"] is True
    assert report["unclosed_periods"] == ["2026-01"]
    assert report["outbox"] == {"backlog": 0, "oldest_unsent_age_seconds": None, "given_up": 0}
    user = make_user()
    with transaction.atomic():
        enqueue("k", "account_frozen", user.pk, {})
    OutboxMessage.objects.update(attempts=2)
    report = health()
    assert report["outbox"]["given_up"] == 1
    assert "outbox_given_up" in report["problems"]
    json.dumps(report)
    late = health(now=timezone.now() + timedelta(hours=2))
    assert "tick_late" in late["problems"]


def test_health_endpoint_is_for_hr_staff_only(jobs, client, make_user):
    # P-31
    url = reverse("elearn:health")
    assert url.endswith("/api/v1/health")
    assert client.get(url).status_code == 401
    client.force_login(make_user())
    assert client.get(url).status_code == 403
    client.force_login(make_user(is_staff=True))
    response = client.get(url)
    assert response.status_code == 503  # no tick yet
    assert response.json()["problems"] == ["tick_never_ran"]
    run_tick()
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["healthy"] is True
    assert client.post(url).status_code == 405


def test_tick_command_prints_json_and_refuses_unknown_jobs(jobs, capsys):
    call_command("elearn_tick", "--only", "alpha")
    out = json.loads(capsys.readouterr().out)
    assert out["jobs"]["alpha"]["status"] == "ok"
    assert jobs == ["alpha"]
    with pytest.raises(CommandError, match="nosuch"):
        call_command("elearn_tick", "--only", "nosuch")


def test_tick_command_exits_1_when_a_job_fails(jobs, capsys):
    registry.register_job("broken")(lambda now: 1 / 0)
    with pytest.raises(SystemExit) as exit_info:
        call_command("elearn_tick")
    assert exit_info.value.code == 1
    assert json.loads(capsys.readouterr().out)["jobs"]["broken"]["status"] == "error"


def test_health_command_exits_1_when_unhealthy(jobs, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("elearn_health")
    assert exit_info.value.code == 1
    assert json.loads(capsys.readouterr().out)["healthy"] is False
    run_tick()
    call_command("elearn_health")
    assert json.loads(capsys.readouterr().out)["healthy"] is True


def test_celery_tasks_are_registered_and_call_the_services(jobs):
    from celery import current_app

    from elearn_plugin.tasks.tick import send_outbox, tick

    assert {"elearn.tick", "elearn.send_outbox"} <= set(current_app.tasks)
    assert tick.apply(kwargs={"only": ["beta"]}).get()["jobs"]["beta"]["status"] == "ok"
    assert jobs == ["beta"]
    assert send_outbox.apply(kwargs={"limit": 10}).get() == {
        "sent": 0,
        "failed": 0,
        "remaining": 0,
    }


def test_the_tick_is_scheduled_every_five_minutes(settings):
    entry = settings.CELERYBEAT_SCHEDULE["elearn.tick"]
    assert entry["task"] == "elearn.tick"
    assert entry["schedule"] == timedelta(minutes=5)


def test_beat_entry_is_added_without_replacing_others():
    from types import SimpleNamespace

    from elearn_plugin.settings.common import plugin_settings

    host = SimpleNamespace(CELERYBEAT_SCHEDULE={"other": {"task": "x"}}, MIDDLEWARE=[])
    plugin_settings(host)
    plugin_settings(host)
    assert set(host.CELERYBEAT_SCHEDULE) == {"other", "elearn.tick"}
