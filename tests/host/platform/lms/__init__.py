"""Stand-in of openedx-platform `lms/__init__.py`: the Celery app is imported when Django starts,
so that `shared_task` uses it (its settings: eager in tests, old-style names)."""

from .celery import APP as CELERY_APP  # noqa: F401
