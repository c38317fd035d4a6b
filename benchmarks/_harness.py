"""What every benchmark script does around its measurements: the measuring process's
environment and policy file, Django's setup, progress lines, the server's description and
a child process's JSON answer. Shared so the scripts measure under the same conditions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PLATFORM_ROOT = ROOT / "tests" / "host" / "platform"


def bench_env(settings: str, backend_variable: str, backend: str, var: str, policy: str) -> dict:
    """The environment of a measuring process: its settings, backend, folder and policy."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        ELEARN_DEVSITE_VAR=var,
        ELEARN_DEVSITE_POLICY_FILE=policy,
        ELEARN_DEVSITE_DEBUG="0",
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(HERE), str(ROOT), str(PLATFORM_ROOT), env.get("PYTHONPATH", "")])
        ),
        PYTHONUNBUFFERED="1",
    )
    env[backend_variable] = backend
    return env


def policy_copy(folder: str, effective_from: str) -> str:
    """The default policy with another `effective_from`, written into `folder`."""
    text = (ROOT / "elearn_plugin" / "policy" / "default.yaml").read_text()
    lines = [
        f"effective_from: {effective_from}" if line.startswith("effective_from:") else line
        for line in text.splitlines()
    ]
    path = Path(folder) / "policy.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def setup_django() -> None:
    for entry in (str(ROOT), str(HERE)):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    import django

    django.setup()


def devsite_in(var: str) -> None:
    """Django with the dev site's settings on a fresh SQLite database in `var`, migrated."""
    os.environ["ELEARN_DEVSITE_VAR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "conf.devsite.settings"
    setup_django()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)


def log(name: str, message: str) -> None:
    """A progress line on stderr (stdout carries the JSON)."""
    print(
        f"[{name} {time.strftime('%H:%M:%S', time.gmtime())}] {message}",
        file=sys.stderr,
        flush=True,
    )


def server_info() -> dict:
    """The database the figures were taken on: MariaDB's version, buffer pool and log
    flushing, or SQLite's journal mode and version."""
    import sqlite3

    from django.db import connection

    info = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                "SELECT VERSION(), @@innodb_buffer_pool_size, @@innodb_flush_log_at_trx_commit"
            )
            version, pool, flush = cursor.fetchone()
            info.update(
                version=version,
                innodb_buffer_pool_mb=int(pool) // 2**20,
                innodb_flush_log_at_trx_commit=int(flush),
            )
        else:
            cursor.execute("PRAGMA journal_mode")
            info.update(journal_mode=cursor.fetchone()[0], sqlite_version=sqlite3.sqlite_version)
    return info


def run_child(role: str, cmd: list[str], env: dict, timeout: float) -> dict:
    """Run a measuring process and return the JSON document of its last line."""
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=None, text=True, cwd=ROOT, env=env, timeout=timeout
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode == 0 and lines:
        return json.loads(lines[-1])
    return {"error": f"{role} exited with {proc.returncode}", "stdout": lines[-3:]}
