"""A test-only periodic job that counts its runs in the database and can be made slow.

Imported by the integration worker (CELERY_IMPORTS) and by the tick subprocesses of the suite.
"""

import os
import time

from django.db import connection

from elearn_plugin.tick.registry import register_job

JOB = "it.counted"
RUNS_TABLE = "elearn_it_job_runs"


def ensure_runs_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} "
            "(id INT AUTO_INCREMENT PRIMARY KEY, pid INT NOT NULL, label VARCHAR(40) NOT NULL)"
        )


@register_job(JOB)
def counted(now) -> dict:
    """Record one run (with the process id), then hold the job for ELEARN_IT_JOB_SLEEP s."""
    ensure_runs_table()
    label = os.environ.get("ELEARN_IT_JOB_LABEL", "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RUNS_TABLE} (pid, label) VALUES (%s, %s)", [os.getpid(), label]
        )
    time.sleep(float(os.environ.get("ELEARN_IT_JOB_SLEEP", "0")))
    return {"pid": os.getpid(), "label": label}
