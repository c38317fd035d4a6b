"""Celery tasks (autodiscovered by the platform). Thin: each calls a service function."""

from elearn_plugin.tasks import (
    diagnostics,  # noqa: F401  (registers elearn.ping)
    tick,  # noqa: F401  (registers elearn.tick, elearn.send_outbox)
)
