"""A task the plugin sends from Studio lands on a queue Tutor's cms worker consumes (P-33).

See tests/host/celery_routing.py for the upstream files this mirrors.
"""

from cms.celery import APP
from django.conf import settings

from tests.host.celery_routing import TUTOR_WORKER_QUEUES, plugin_tasks, queue_of


def test_studio_registers_the_plugins_tasks():
    assert {"elearn.tick", "elearn.send_outbox"} <= set(plugin_tasks(APP))


def test_every_plugin_task_sent_from_studio_stays_on_a_studio_queue():
    names = plugin_tasks(APP)
    assert names
    for name in names:
        queue = queue_of(APP, name)
        assert queue in TUTOR_WORKER_QUEUES["cms"], (name, queue)
        assert queue == settings.CELERY_DEFAULT_QUEUE == "edx.cms.core.default"
