"""Settings of the rankings benchmark: the standalone site on the benchmark's database.

Read from the environment the benchmark sets: `ELEARN_BENCH_RANKINGS_BACKEND` (sqlite |
mariadb), `ELEARN_DEVSITE_VAR` (the SQLite file's folder) and `ELEARN_DEVSITE_POLICY_FILE`.
Nothing measured here goes through the cache, so it is the process's own memory.
"""

import os

from _db import mariadb

from conf.devsite.settings import *  # noqa: F403

SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"

if os.environ.get("ELEARN_BENCH_RANKINGS_BACKEND", "sqlite") == "mariadb":
    DATABASES = {"default": mariadb("elearn_bench_rankings")}
else:
    # The usual configuration of SQLite behind a web server, as in `month_close.py`.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = SQLITE_INIT  # noqa: F405

DEBUG = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
