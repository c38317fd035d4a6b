"""Celery tasks (autodiscovered by the platform). Thin: each calls a service function."""

from elearn_plugin.tasks import (
    courses,  # noqa: F401  (registers elearn.rescan_course)
    diagnostics,  # noqa: F401  (registers elearn.ping)
    month_close,  # noqa: F401  (registers elearn.month_close_chunk)
    tick,  # noqa: F401  (registers elearn.tick, elearn.send_outbox)
)
