"""Shared by the LMS and Studio routing tests: where the platform's Celery app sends a task.

Mirrors openedx-platform `openedx/core/lib/celery/__init__.py` (one app configured from Django
settings without a namespace, tasks autodiscovered from INSTALLED_APPS), `lms/celery.py` /
`cms/celery.py`, `openedx/core/lib/celery/routers.py`, and Tutor's worker commands
(`tutor/plugins/openedx.py`, the same in Tutor 21 and 22):
  lms-worker --queues=edx.lms.core.default,edx.lms.core.high,edx.lms.core.high_mem
  cms-worker --queues=edx.cms.core.default,edx.cms.core.high,edx.cms.core.low
"""

from __future__ import annotations

TUTOR_WORKER_QUEUES = {
    "lms": {"edx.lms.core.default", "edx.lms.core.high", "edx.lms.core.high_mem"},
    "cms": {"edx.cms.core.default", "edx.cms.core.high", "edx.cms.core.low"},
}


def plugin_tasks(app) -> list[str]:
    """The plugin's task names the platform app registered through autodiscovery."""
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.startswith("elearn."))


def queue_of(app, task_name: str) -> str:
    """The queue `send_task` would publish to, through the app's configured router."""
    route = app.amqp.router.route({}, task_name, (), {})
    queue = route["queue"]
    return getattr(queue, "name", queue)
