"""Accepted watch reports per second per process, through the full middleware stack (P-17).

Compares, on SQLite and on MariaDB in one run, the plugin's report endpoint (session auth,
CSRF, role check, token check, one locked read and one conditional update) with the XBlock
handler path that keeps progress in `user_state`, as the built-in video block saves its state
(the workbench runtime's database-backed field store).

Both paths are measured the same way in the same process: each request is a WSGI environ
(session and CSRF cookies, CSRF header, JSON body) handed to Django's own
`django.core.handlers.wsgi.WSGIHandler`, with the standalone site's settings and middleware.
The response is read and closed as a WSGI server does, so `request_finished` runs (and closes
the database connection when CONN_MAX_AGE is 0). No test client is involved.

Each backend builds a throwaway database with the real `migrate --run-syncdb` (the workbench
app has no migrations): a temporary SQLite file, or the MariaDB database `elearn_bench`, which
is dropped at the end. Prints JSON; never asserted.

    python benchmarks/video_reports.py [--reports 2000] [--learners 20] [--conn-max-age 0]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("ELEARN_BENCH_MYSQL_DB", "elearn_bench")
MARIADB = {
    "ENGINE": "django.db.backends.mysql",
    "NAME": BENCH_DB,
    "USER": os.environ.get("ELEARN_BENCH_MYSQL_USER", "root"),
    "PASSWORD": os.environ.get("ELEARN_BENCH_MYSQL_PASSWORD", ""),
    "HOST": os.environ.get("ELEARN_BENCH_MYSQL_HOST", "127.0.0.1"),
    "PORT": os.environ.get("ELEARN_BENCH_MYSQL_PORT", "3306"),
    "OPTIONS": {"charset": "utf8mb4"},
}
TRANSPORT = (
    "django.core.handlers.wsgi.WSGIHandler called in process with a constructed WSGI environ "
    "(cookies, CSRF header, JSON body); response iterated and closed"
)
HOST = "127.0.0.1"
SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"


def _mysql_admin(statement: str) -> None:
    import MySQLdb

    conn = MySQLdb.connect(
        host=MARIADB["HOST"],
        port=int(MARIADB["PORT"]),
        user=MARIADB["USER"],
        passwd=MARIADB["PASSWORD"],
        charset="utf8mb4",
    )
    try:
        conn.cursor().execute(statement)
    finally:
        conn.close()


def _setup(backend: str, var: str, conn_max_age: int) -> dict:
    """Configure the standalone site for `backend` and build its database with `migrate`."""
    os.environ["ELEARN_DEVSITE_VAR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "conf.devsite.settings"
    os.environ["ELEARN_DEVSITE_DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.ELEARN_VIDEO_RATE_LIMIT = 10**9
    settings.ALLOWED_HOSTS = [HOST]
    if backend == "mariadb":
        _mysql_admin(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
        _mysql_admin(
            f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        settings.DATABASES["default"] = dict(MARIADB)
    else:
        # The usual configuration of SQLite behind a web server (write-ahead log, one sync
        # per checkpoint); without it every commit waits for two fsyncs of this machine's disk.
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["init_command"] = SQLITE_INIT
    settings.DATABASES["default"]["CONN_MAX_AGE"] = conn_max_age
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    db = settings.DATABASES["default"]
    return {
        "engine": db["ENGINE"].rsplit(".", 1)[-1],
        "name": BENCH_DB if backend == "mariadb" else "temporary file",
        "conn_max_age": conn_max_age,
        "atomic_requests": bool(db.get("ATOMIC_REQUESTS", False)),
        "sqlite_init_command": db.get("OPTIONS", {}).get("init_command", ""),
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "middleware": list(settings.MIDDLEWARE),
    }


def _state_block():
    from xblock.core import XBlock
    from xblock.fields import Float, Scope

    class UserStateVideo(XBlock):
        """Saves position like the built-in video's `save_user_state` handler."""

        position = Float(scope=Scope.user_state, default=0.0)
        watched_until = Float(scope=Scope.user_state, default=0.0)

        @XBlock.json_handler
        def save_user_state(self, data, suffix=""):
            self.position = float(data["end"])
            self.watched_until = max(self.watched_until, float(data["end"]))
            return {"success": True}

    return UserStateVideo


class Browser:
    """One signed-in learner: a real session row and a CSRF cookie, as after a login."""

    def __init__(self, user):
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.middleware.csrf import _get_new_csrf_string

        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        self.csrf = _get_new_csrf_string()
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        )

    def environ(self, path: str, query: str, body: bytes) -> dict:
        return {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": HOST,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": HOST,
            "HTTP_HOST": HOST,
            "HTTP_USER_AGENT": "elearn-bench/1.0",
            "HTTP_COOKIE": self.cookie,
            "HTTP_X_CSRFTOKEN": self.csrf,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }


def _call(app, environ: dict) -> tuple[int, bytes]:
    """What a WSGI server does with one request: call, read the body, close."""
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(int(line.split(" ", 1)[0]))

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], body


def _figures(reports: int, accepted: int, elapsed: float, **extra) -> dict:
    return {
        "reports": reports,
        "accepted": accepted,
        **extra,
        "seconds": round(elapsed, 3),
        "accepted_per_second": round(accepted / elapsed, 1),
        "ms_per_report": round(1000 * elapsed / max(1, reports), 3),
    }


def _plugin_endpoint(app, browsers, users, reports: int) -> dict:
    from elearn_plugin.video import services
    from elearn_plugin.video.services import VideoSpec

    spec = VideoSpec(
        "block-v1:Bench+V+2026+type@elearn_video+block@v", "course-v1:Bench+V+2026", 86000.0
    )
    sessions = [[services.start_session(user, spec).token, 0] for user in users]
    time.sleep(0.05)
    path = "/elearn/api/v1/video/report"
    accepted = refused = 0
    started = time.perf_counter()
    for n in range(reports):
        i = n % len(users)
        token, seq = sessions[i]
        start = seq * 0.001
        body = json.dumps(
            {"token": token, "seq": seq + 1, "start": start, "end": round(start + 0.001, 3)}
        ).encode()
        status, _body = _call(app, browsers[i].environ(path, "", body))
        if status == 200:
            accepted += 1
            sessions[i][1] = seq + 1
        else:
            refused += 1
    elapsed = time.perf_counter() - started
    return _figures(reports, accepted, elapsed, refused=refused)


def _user_state_handler(app, browsers, users, reports: int) -> dict:
    from workbench.scenarios import SCENARIOS, add_xml_scenario

    if "bench_state_video.0" not in SCENARIOS:
        add_xml_scenario("bench_state_video.0", "Bench state", "<bench_state_video/>")
    usage_id = SCENARIOS["bench_state_video.0"].usage_id
    path = f"/workbench/handler/{usage_id}/save_user_state/"
    accepted = 0
    started = time.perf_counter()
    for n in range(reports):
        i = n % len(users)
        body = json.dumps({"start": n * 0.001, "end": n * 0.001 + 0.001}).encode()
        status, _body = _call(app, browsers[i].environ(path, f"student={users[i].pk}", body))
        accepted += status == 200
    elapsed = time.perf_counter() - started
    return _figures(reports, accepted, elapsed, refused=reports - accepted)


def _run(backend: str, reports: int, learners: int, conn_max_age: int) -> dict:
    with tempfile.TemporaryDirectory() as var:
        try:
            setup = _setup(backend, var, conn_max_age)
            from django.contrib.auth import get_user_model
            from django.core.cache import cache
            from django.core.handlers.wsgi import WSGIHandler
            from xblock.core import XBlock

            users = [
                get_user_model().objects.create_user(f"bench{i}", password="bench-pass-1234")
                for i in range(learners)
            ]
            browsers = [Browser(user) for user in users]
            app = WSGIHandler()
            # Warm up both paths (imports, URL resolver, policy cache) outside the timing.
            results: dict = {"transport": TRANSPORT, "setup": setup}
            register = XBlock.register_temp_plugin(_state_block(), "bench_state_video")

            def both() -> None:
                _plugin_endpoint(app, browsers, users, learners)
                _user_state_handler(app, browsers, users, learners)
                cache.clear()
                results["plugin_endpoint"] = _plugin_endpoint(app, browsers, users, reports)
                cache.clear()
                results["xblock_user_state_handler"] = _user_state_handler(
                    app, browsers, users, reports
                )

            register(both)()
            plugin = results["plugin_endpoint"]["accepted_per_second"]
            baseline = results["xblock_user_state_handler"]["accepted_per_second"] or 1
            results["ratio_plugin_to_user_state"] = round(plugin / baseline, 2)
            return results
        finally:
            if backend == "mariadb":
                from django.db import connections

                connections.close_all()
                _mysql_admin(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="Django CONN_MAX_AGE for both paths (0, Django's default: a connection per request)",
    )
    parser.add_argument("--backend", choices=("sqlite", "mariadb"))
    args = parser.parse_args()
    if args.reports < 1 or args.learners < 1:
        parser.error("--reports and --learners must be at least 1")
    if args.backend:
        print(json.dumps(_run(args.backend, args.reports, args.learners, args.conn_max_age)))
        return
    report = {"benchmark": "video_reports", "python": sys.version.split()[0], "backends": {}}
    for backend in ("sqlite", "mariadb"):
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--backend",
                backend,
                "--reports",
                str(args.reports),
                "--learners",
                str(args.learners),
                "--conn-max-age",
                str(args.conn_max_age),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
        )
        if proc.returncode == 0 and proc.stdout.strip():
            report["backends"][backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            report["backends"][backend] = {"skipped": proc.stderr.strip().splitlines()[-3:]}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
