"""A task that proves a worker runs the plugin's code against the configured database."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection


@shared_task(name="elearn.ping")
def ping(user_id: int | None = None) -> dict:
    """Answer 'pong' with the worker's database vendor.

    With `user_id`, also say whether the worker sees that user: a worker on another database
    than the web process would pass a broker check yet act on nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    answer: dict = {"reply": "pong", "db_vendor": connection.vendor}
    if user_id is not None:
        answer["user_seen"] = get_user_model().objects.filter(pk=user_id).exists()
    return answer
