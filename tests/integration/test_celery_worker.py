"""Tasks sent through Redis are run by a real worker process on the test database."""

import pytest
from celery.exceptions import TimeoutError as CeleryTimeout

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
def test_tick_task_runs_in_the_worker(celery_app, celery_worker_process, migrated_models):
    # P-33: the periodic tick runs through Celery as it does from cron, and twice is harmless.
    if "elearn.tick" not in celery_app.tasks:
        pytest.skip("task elearn.tick is not available yet (elearn_plugin.tasks)")
    first = _result(celery_app.send_task("elearn.tick"), celery_worker_process)
    second = _result(celery_app.send_task("elearn.tick"), celery_worker_process)
    assert first is not None and second is not None
    assert "Traceback" not in worker_log(celery_worker_process)
