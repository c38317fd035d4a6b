"""The plugin's tasks in the LMS's Celery app land on queues Tutor's lms worker consumes (P-33).

See tests/host/celery_routing.py for the upstream files this mirrors.
"""

from django.conf import settings
from lms.celery import APP

from tests.host.celery_routing import TUTOR_WORKER_QUEUES, plugin_tasks, queue_of

EXPECTED = {"elearn.ping", "elearn.send_outbox", "elearn.tick"}


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
