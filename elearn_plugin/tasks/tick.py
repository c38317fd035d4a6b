"""Celery tasks of the tick and the outbox: thin, their arguments are names and numbers only."""

from celery import shared_task

from elearn_plugin.outbox.sender import send_pending
from elearn_plugin.tick.services import run_tick


@shared_task(name="elearn.tick", ignore_result=True)
def tick(only: list[str] | None = None) -> dict:
    """Run the periodic jobs (beat calls this every 5 minutes where a beat runs)."""
    return run_tick(only=only).as_dict()


@shared_task(name="elearn.send_outbox", ignore_result=True)
def send_outbox(limit: int = 200) -> dict:
    """Deliver due outbox messages now (e.g. right after a decision wrote some)."""
    return send_pending(limit=limit).as_dict()
