"""The benchmarks' throwaway MariaDB database: its connection settings and admin statements.

Shared by every benchmark script (each names its own database through `mariadb(name)`), so
the environment variables that point them at another server are read in one place.
"""

from __future__ import annotations

import os


def mariadb(default_name: str) -> dict:
    """Django connection settings of the benchmark database (`ELEARN_BENCH_MYSQL_*`)."""
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ.get("ELEARN_BENCH_MYSQL_DB", default_name),
        "USER": os.environ.get("ELEARN_BENCH_MYSQL_USER", "root"),
        "PASSWORD": os.environ.get("ELEARN_BENCH_MYSQL_PASSWORD", ""),
        "HOST": os.environ.get("ELEARN_BENCH_MYSQL_HOST", "127.0.0.1"),
        "PORT": os.environ.get("ELEARN_BENCH_MYSQL_PORT", "3306"),
        "OPTIONS": {"charset": "utf8mb4"},
    }


def mysql_admin(db: dict, statement: str) -> None:
    """Run one statement outside any database (to drop and create the benchmark's)."""
    import MySQLdb

    conn = MySQLdb.connect(
        host=db["HOST"],
        port=int(db["PORT"]),
        user=db["USER"],
        passwd=db["PASSWORD"],
        charset="utf8mb4",
    )
    try:
        conn.cursor().execute(statement)
    finally:
        conn.close()
