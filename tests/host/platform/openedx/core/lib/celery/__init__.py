"""Stand-in of openedx-platform `openedx/core/lib/celery/__init__.py`: the one Celery app.

Configured from Django settings *without* a namespace, so it reads the old-style names
(`CELERY_ROUTES`, `CELERY_DEFAULT_QUEUE`, `CELERYBEAT_SCHEDULE`, `BROKER_URL`, ...), and
autodiscovers `tasks` modules of every installed app, the plugin apps included.
"""

from celery import Celery

APP = Celery("proj")
APP.config_from_object("django.conf:settings")
APP.autodiscover_tasks()
