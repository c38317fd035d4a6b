"""Tasks sent through Redis are run by a real worker process on the test database."""

import time

import pytest
from celery.exceptions import TimeoutError as CeleryTimeout
from django.db import connection

from tests.integration.conftest import worker_log

RESULT_TIMEOUT = 30


def _result(async_result, worker):
    try:
        return async_result.get(timeout=RESULT_TIMEOUT)
    except CeleryTimeout:
        pytest.fail(f"no result within {RESULT_TIMEOUT}s; worker output:\n{worker_log(worker)}")


@pytest.mark.django_db(transaction=True)
def test_ping_round_trip_through_a_worker(celery_app, celery_worker_process, make_user):
    # P-33: jobs run in workers, on the same database as the site.
    from elearn_plugin.tasks.diagnostics import ping

    user = make_user()
    answer = _result(ping.delay(user.id), celery_worker_process)
    assert answer == {"reply": "pong", "db_vendor": "mysql", "user_seen": True}


@pytest.mark.django_db(transaction=True)
def test_ping_with_unknown_user_says_so(celery_app, celery_worker_process):
    # Bad input: an id nobody has is answered, not crashed on.
    from elearn_plugin.tasks.diagnostics import ping

    answer = _result(ping.delay(10**9), celery_worker_process)
    assert answer["user_seen"] is False


@pytest.mark.django_db(transaction=True)
def test_tick_task_runs_in_the_worker(celery_app, celery_worker_process):
    # P-33: the periodic tick runs through Celery as it does from cron.
    assert "elearn.tick" in celery_app.tasks, "the platform's Celery app lacks elearn.tick"
    from elearn_plugin.tick.models import JobState
    from tests.integration.jobs import JOB, RUNS_TABLE, ensure_runs_table

    ensure_runs_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RUNS_TABLE}")
    # elearn.tick keeps no result: its effect in the database is the proof.
    celery_app.send_task("elearn.tick", kwargs={"only": [JOB]})
    deadline = time.monotonic() + RESULT_TIMEOUT
    while not JobState.objects.filter(name=JOB, last_ok=True).exists():
        if time.monotonic() > deadline:
            pytest.fail(
                f"the tick did not run in {RESULT_TIMEOUT}s:\n{worker_log(celery_worker_process)}"
            )
        time.sleep(0.3)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pid FROM {RUNS_TABLE}")
        pids = [row[0] for row in cursor.fetchall()]
    assert pids == [celery_worker_process.pid]


@pytest.mark.django_db(transaction=True)
def test_tick_task_with_unknown_job_changes_nothing(celery_app, celery_worker_process):
    # Bad input: a tick asked for a job nobody registered fails in the worker, writes nothing.
    assert "elearn.tick" in celery_app.tasks, "the platform's Celery app lacks elearn.tick"
    from elearn_plugin.tick.models import JobState

    before = JobState.objects.count()
    result = celery_app.send_task("elearn.tick", kwargs={"only": ["it.no-such-job"]})
    deadline = time.monotonic() + RESULT_TIMEOUT
    while "it.no-such-job" not in worker_log(celery_worker_process):
        if time.monotonic() > deadline:
            pytest.fail(f"the worker never took the task:\n{worker_log(celery_worker_process)}")
        time.sleep(0.3)
    assert result.id
    assert JobState.objects.count() == before
