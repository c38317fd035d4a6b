"""The plugin's tasks in the LMS's Celery app land on queues Tutor's lms worker consumes (P-33).

See tests/host/celery_routing.py for the upstream files this mirrors.
"""

from django.conf import settings
from lms.celery import APP

from tests.host.celery_routing import TUTOR_WORKER_QUEUES, plugin_tasks, queue_of

EXPECTED = {"elearn.ping", "elearn.send_outbox", "elearn.tick", "elearn.month_close_chunk"}


def test_the_platform_app_discovers_the_plugins_tasks():
    assert EXPECTED <= set(plugin_tasks(APP))


def test_every_plugin_task_goes_to_an_lms_worker_queue():
    for name in plugin_tasks(APP):
        queue = queue_of(APP, name)
        assert queue in TUTOR_WORKER_QUEUES["lms"], (name, queue)
        assert queue == settings.CELERY_DEFAULT_QUEUE == "edx.lms.core.default"


def test_old_style_setting_names_are_the_ones_read():
    # The app has no namespace: CELERYBEAT_SCHEDULE / CELERY_ALWAYS_EAGER are what it reads.
    assert "elearn.tick" in APP.conf.beat_schedule
    assert APP.conf.task_always_eager is True
    assert APP.conf.task_default_queue == "edx.lms.core.default"


def test_the_month_close_chunk_survives_a_lost_worker():
    # P-33: acknowledged after it ran, given back when its worker dies, bounded in time,
    # database errors retried with jitter; the platform app keeps those options.
    task = APP.tasks["elearn.month_close_chunk"]
    assert task.acks_late is True and task.reject_on_worker_lost is True
    assert 0 < task.soft_time_limit < task.time_limit
    assert task.retry_jitter is True and task.max_retries >= 3
    assert task.ignore_result is True
