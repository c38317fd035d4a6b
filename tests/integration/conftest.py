"""Fixtures of the integration suite: the machine's MariaDB and Redis, and real Celery workers.

Run it as its own pytest call (the Makefile's `integration` target):
    pytest tests/integration --ds=tests.settings_integration --migrations -p no:xdist
A missing service skips the suite with the service and its address in the reason, unless
ELEARN_REQUIRE_SERVICES=1 (CI), where a missing service is a failure and so is any other
skip (the report hook at the end of this file).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.host.celery_routing import TUTOR_WORKER_QUEUES
from tests.host.path import PLATFORM_ROOT

ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_TIMEOUT = 60.0


def services_required() -> bool:
    """CI sets ELEARN_REQUIRE_SERVICES=1: absence of a service is then a failure, not a skip."""
    return os.environ.get("ELEARN_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    """Skip the test with `reason`, or fail with it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (ELEARN_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def probe_mariadb() -> str | None:
    """None when MariaDB answers at the configured address, else a reason naming it."""
    db = settings.DATABASES["default"]
    address = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 3306}"
    if "mysql" not in db["ENGINE"]:
        return (
            "the integration suite needs MariaDB: run it with --ds=tests.settings_integration "
            f"(current engine {db['ENGINE']})"
        )
    try:
        import MySQLdb  # noqa: PLC0415
    except ImportError:
        return "MariaDB driver mysqlclient is not installed (make system-deps install)"
    try:
        conn = MySQLdb.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=int(db.get("PORT") or 3306),
            user=db.get("USER") or "root",
            passwd=db.get("PASSWORD") or "",
            connect_timeout=3,
        )
        conn.close()
    except MySQLdb.Error as exc:
        return f"MariaDB is not reachable at {address}: {exc.args[-1] if exc.args else exc}"
    return None


def probe_redis() -> str | None:
    """None when Redis answers PING at the broker address, else a reason naming it."""
    url = settings.BROKER_URL
    if not url.startswith("redis://"):
        return f"the integration suite needs a Redis broker, settings give {url!r}"
    try:
        import redis  # noqa: PLC0415
    except ImportError:
        return "the redis client package is not installed"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {url}: {exc}"
    return None


def probe_rabbitmq(host: str = "127.0.0.1", port: int = 5672) -> str | None:
    """None when something listens on the AMQP port (RabbitMQ is optional)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"RabbitMQ is not reachable at {host}:{port}: {exc}"


@pytest.fixture(scope="session", autouse=True)
def integration_services() -> None:
    """MariaDB and Redis are needed by every test here; probed once per run."""
    for probe in (probe_mariadb, probe_redis):
        reason = probe()
        if reason:
            unavailable(reason)


@pytest.fixture(scope="session")
def test_db_name(django_db_setup, django_db_blocker) -> str:
    """The name of the database pytest-django created (and migrated) for this run."""
    from django.db import connection  # noqa: PLC0415

    with django_db_blocker.unblock():
        return connection.settings_dict["NAME"]


def subprocess_env(test_db_name: str, **extra: str) -> dict[str, str]:
    """Environment for a child process that must use this run's test database and broker."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings_integration",
        ELEARN_IT_DB_NAME=test_db_name,
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), PLATFORM_ROOT, env.get("PYTHONPATH", "")])
        ),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


@pytest.fixture(scope="session")
def celery_app():
    """The platform's Celery app (stand-in `lms.celery`), configured from the integration
    settings (Redis), with every installed app's tasks discovered."""
    from lms.celery import APP  # noqa: PLC0415

    APP.loader.import_default_modules()
    return APP


def worker_command(name: str, *extra_args: str) -> list[str]:
    """`celery worker` as Tutor starts the lms worker: the platform's app, the LMS queues,
    one task at a time in the solo pool."""
    queues = ",".join(sorted(TUTOR_WORKER_QUEUES["lms"]))
    return [
        str(Path(sys.executable).with_name("celery")),
        "--app=lms.celery",
        "worker",
        "--pool=solo",
        "-c",
        "1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        f"--queues={queues}",
        "-n",
        name,
        "--loglevel=INFO",
        *extra_args,
    ]


@pytest.fixture(scope="session")
def celery_worker_process(
    celery_app, test_db_name: str, tmp_path_factory
) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on the Redis broker, using this run's test database.

    Started as Tutor starts the lms worker (`tutor/plugins/openedx.py`, Tutor 21 and 22): the
    platform's app and the LMS queues, so a task the plugin sends must land on one of them.
    """
    celery_app.control.purge()
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    cmd = worker_command(f"elearn-it-{os.getpid()}@%h")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env=subprocess_env(test_db_name), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while True:
            text = log_path.read_text(errors="replace")
            if " ready." in text:
                break
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.returncode}:\n{text[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"celery worker not ready after {WORKER_READY_TIMEOUT}s:\n{text[-3000:]}"
                )
            time.sleep(0.2)
        proc.log_path = log_path  # type: ignore[attr-defined]
        yield proc
    finally:
        _stop(proc)


def worker_log(proc: subprocess.Popen) -> str:
    """The worker's output so far (for failure messages)."""
    return Path(proc.log_path).read_text(errors="replace")[-4000:]  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ELEARN_REQUIRE_SERVICES=1 nothing in this suite may skip: a skip, wherever it
    comes from (a fixture, `pytest.skip`, `importorskip`, a marker), is reported as a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and services_required() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under ELEARN_REQUIRE_SERVICES=1: {reason}"


def _start_worker(
    name: str, log_path: Path, test_db_name: str, *extra_args: str
) -> subprocess.Popen:
    """One `celery worker --pool=solo` on the LMS queues, in its own process group."""
    cmd = worker_command(name, *extra_args)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            cmd,
            cwd=ROOT,
            env=subprocess_env(test_db_name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    proc.worker_name = name  # type: ignore[attr-defined]
    return proc


def _wait_ready(procs: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    waiting = list(procs)
    while waiting:
        for proc in list(waiting):
            text = Path(proc.log_path).read_text(errors="replace")  # type: ignore[attr-defined]
            if " ready." in text:
                waiting.remove(proc)
            elif proc.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.returncode}:\n{text[-3000:]}")
            elif time.monotonic() > deadline:
                pytest.fail(
                    f"celery worker not ready after {WORKER_READY_TIMEOUT}s:\n{text[-3000:]}"
                )
        time.sleep(0.2)


def _drop_unacked(task_name: str) -> int:
    """Forget the broker's unacknowledged deliveries of `task_name` (a SIGKILLed worker's):
    Redis would hand them to a later run's worker once its visibility timeout passed."""
    import json  # noqa: PLC0415

    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(settings.BROKER_URL)
    dropped = 0
    for tag, raw in client.hgetall("unacked").items():
        try:
            headers = json.loads(raw)[0]["headers"]
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        if headers.get("task") == task_name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
            dropped += 1
    return dropped


@pytest.fixture
def celery_worker_pair(celery_app, test_db_name: str, tmp_path) -> Iterator[list[subprocess.Popen]]:
    """Two real `celery worker` processes on the LMS queues, each its own process group and
    log (`proc.log_path`), taking one task at a time (`--prefetch-multiplier=1`), so that a
    task a worker has received and not finished is the one it is running.

    Any other worker of this run (the session's `celery_worker_process`) stops consuming the
    LMS queues meanwhile, so the two here are the only ones taking tasks; it resumes after.
    A worker killed here leaves its month-close chunk deliveries unacknowledged in Redis;
    they are dropped at the end.
    """
    queues = sorted(TUTOR_WORKER_QUEUES["lms"])
    others = [name for reply in celery_app.control.ping(timeout=1.0) or [] for name in reply]
    for queue in queues:
        if others:
            celery_app.control.cancel_consumer(queue, destination=others, reply=True, timeout=2)
    celery_app.control.purge()
    procs = [
        _start_worker(
            f"elearn-it-{os.getpid()}-{label}@%h",
            tmp_path / f"worker-{label}.log",
            test_db_name,
            "--prefetch-multiplier=1",
        )
        for label in ("a", "b")
    ]
    try:
        _wait_ready(procs)
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
                except ProcessLookupError:
                    pass
        celery_app.control.purge()
        _drop_unacked("elearn.month_close_chunk")
        for queue in queues:
            if others:
                celery_app.control.add_consumer(queue, destination=others, reply=True, timeout=2)
