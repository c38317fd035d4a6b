"""Stand-in of openedx-platform `openedx/core/lib/celery/routers.py` (`CELERY_ROUTES`).

An explicit queue wins, then a task sent to the other service's workers; anything else returns
None, so Celery uses `CELERY_DEFAULT_QUEUE` of the sending process.
"""

from django.conf import settings


def route_task(name, args, kwargs, options, task=None, **kw):
    """The queue for task `name`, or None for Celery's default routing."""
    explicit = getattr(settings, "EXPLICIT_QUEUES", {}) or {}
    if name in explicit:
        return explicit[name]
    alternate_env = (getattr(settings, "ALTERNATE_ENV_TASKS", {}) or {}).get(name)
    if alternate_env:
        return ensure_queue_env(alternate_env)
    return None


def ensure_queue_env(desired_env):
    """The first configured queue of the other service (`.lms.` / `.cms.`), else None."""
    for queue in getattr(settings, "CELERY_QUEUES", {}) or {}:
        if f".{desired_env}." in queue:
            return queue
    return None
