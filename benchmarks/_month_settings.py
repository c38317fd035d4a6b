"""Settings of the month-close benchmark: the standalone site on the benchmark's database.

One module for the closing process and its Celery workers, so both use the same database,
policy file, cache and broker. Read from the environment the benchmark sets:
`ELEARN_BENCH_MONTH_BACKEND` (sqlite | mariadb), `ELEARN_DEVSITE_VAR` (the SQLite file's
folder), `ELEARN_DEVSITE_POLICY_FILE`, `ELEARN_BENCH_REDIS` and `ELEARN_BENCH_BROKER`.
"""

import os

from _db import mariadb

from conf.devsite.settings import *  # noqa: F403

SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"

if os.environ.get("ELEARN_BENCH_MONTH_BACKEND", "sqlite") == "mariadb":
    DATABASES = {"default": mariadb("elearn_bench_month")}
else:
    # The usual configuration of SQLite behind a web server (write-ahead log, one sync per
    # checkpoint), as in `video_reports.py`.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = SQLITE_INIT  # noqa: F405

DEBUG = False
# The platform's shared cache (Tutor runs Redis): invalidations are round trips.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("ELEARN_BENCH_REDIS", "redis://127.0.0.1:6379/7"),
        "KEY_PREFIX": "elearn-bench-month",
    }
}
BROKER_URL = os.environ.get("ELEARN_BENCH_BROKER", "redis://127.0.0.1:6379/8")
CELERY_ALWAYS_EAGER = False
