"""Two ticks at once on MariaDB run a job once; a tick killed halfway blocks nothing (P-33)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.integration.conftest import ROOT, subprocess_env
from tests.integration.jobs import JOB, RUNS_TABLE, ensure_runs_table

# Each process waits for the same wall-clock instant, then runs `manage.py elearn_tick`.
TICK_SCRIPT = """
import os, sys, time
import django
django.setup()
import tests.integration.jobs  # noqa: F401  (registers the test job)
from django.core.management import call_command
delay = float(os.environ["ELEARN_IT_START_AT"]) - time.time()
if delay > 0:
    time.sleep(delay)
call_command("elearn_tick", only=[os.environ["ELEARN_IT_ONLY"]])
"""
PROCESS_TIMEOUT = 90


@pytest.fixture
def runs_table(transactional_db):
    ensure_runs_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RUNS_TABLE}")
    yield RUNS_TABLE


def _runs() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pid, label FROM {RUNS_TABLE} ORDER BY id")
        return list(cursor.fetchall())


def _start_tick(db_name: str, label: str, start_at: float, sleep: float) -> subprocess.Popen:
    env = subprocess_env(
        db_name,
        ELEARN_IT_START_AT=str(start_at),
        ELEARN_IT_ONLY=JOB,
        ELEARN_IT_JOB_SLEEP=str(sleep),
        ELEARN_IT_JOB_LABEL=label,
    )
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", TICK_SCRIPT],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _report(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=PROCESS_TIMEOUT)
    assert proc.returncode == 0, f"tick exited {proc.returncode}:\n{err[-3000:]}"
    return json.loads(out)


def _lock_held(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT IS_USED_LOCK(%s)", [name])
        return cursor.fetchone()[0] is not None


def _job_state_runs() -> int:
    from elearn_plugin.tick.models import JobState

    return JobState.objects.get(name=JOB).runs


def test_two_ticks_at_once_run_the_job_once(runs_table, test_db_name):
    # P-33: cron and a redelivered task ticking together never run a job twice.
    start_at = time.time() + 8
    procs = [_start_tick(test_db_name, label, start_at, sleep=4) for label in ("a", "b")]
    reports = [_report(proc) for proc in procs]

    statuses = sorted(report["jobs"][JOB]["status"] for report in reports)
    assert statuses == ["busy", "ok"]
    runs = _runs()
    assert len(runs) == 1
    winner = next(r for r in reports if r["jobs"][JOB]["status"] == "ok")
    assert runs[0][1] == winner["jobs"][JOB]["summary"]["label"]
    assert _job_state_runs() == 1

    # The lock was released: the next tick runs the job again.
    again = _report(_start_tick(test_db_name, "c", time.time(), sleep=0))
    assert again["jobs"][JOB]["status"] == "ok"
    assert [label for _pid, label in _runs()] == [runs[0][1], "c"]


def test_tick_killed_halfway_does_not_block_the_next(runs_table, test_db_name):
    # P-33: a worker that dies inside a job releases its lock with its connection.
    from elearn_plugin.tick.locks import lock_name

    victim = _start_tick(test_db_name, "killed", time.time(), sleep=60)
    deadline = time.monotonic() + 60
    while not _lock_held(lock_name(JOB)):
        assert victim.poll() is None, victim.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the first tick never took the job's lock"
        time.sleep(0.2)
    time.sleep(1)  # inside the job's sleep now
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)

    report = _report(_start_tick(test_db_name, "next", time.time(), sleep=0))
    assert report["jobs"][JOB]["status"] == "ok"
    assert [label for _pid, label in _runs()][-1] == "next"
    assert not _lock_held(lock_name(JOB))
