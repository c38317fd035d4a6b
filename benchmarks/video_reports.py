"""Accepted watch reports per second per process, through the full middleware stack (P-17).

Compares, on SQLite and on MariaDB in one run, the plugin's report endpoint (session auth,
CSRF, role check, token check, one read and one versioned update) with two baselines:
- the XBlock handler path that keeps progress in `user_state`, as the built-in video block
  saves its state (the workbench runtime's database-backed field store);
- the floor: an authenticated no-op view (session and user read, CSRF checked by the
  middleware, a JSON answer) behind the same middleware stack, at a path under the same
  prefix, so that only the report's own work separates it from the report.

Both paths are measured the same way in the same process: each request is a WSGI environ
(session and CSRF cookies, CSRF header, JSON body) handed to Django's own
`django.core.handlers.wsgi.WSGIHandler`, with the standalone site's settings and middleware.
The response is read and closed as a WSGI server does, so `request_finished` runs (and closes
the database connection when CONN_MAX_AGE is 0). No test client is involved.

Each backend builds a throwaway database with the real `migrate --run-syncdb` (the workbench
app has no migrations): a temporary SQLite file, or the MariaDB database `elearn_bench`, which
is dropped at the end. Prints JSON; never asserted.

    python benchmarks/video_reports.py [--reports 2000] [--learners 20] [--rounds 10]
        [--conn-max-age 60]

Goals (issue 11, in every run): `ratio_plugin_to_user_state` >= 2, `ratio_floor_to_plugin`
<= 1.5.
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
from _db import mariadb, mysql_admin  # noqa: E402 (the script's own folder)

MARIADB = mariadb("elearn_bench")
BENCH_DB = MARIADB["NAME"]
TRANSPORT = (
    "django.core.handlers.wsgi.WSGIHandler called in process with a constructed WSGI environ "
    "(cookies, CSRF header, JSON body); response iterated and closed"
)
HOST = "127.0.0.1"
SQLITE_INIT = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
FLOOR_PATH = "/elearn/api/bench-floor"
BENCH_URLCONF = "elearn_bench_urls"


def _mysql_admin(statement: str) -> None:
    mysql_admin(MARIADB, statement)


CACHES = {
    # The platform's shared cache (Tutor runs Redis): every cache call is a round trip.
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("ELEARN_BENCH_REDIS", "redis://127.0.0.1:6379/6"),
    },
    # An in-process cache: what the report path costs without the network.
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}


def _setup(backend: str, var: str, conn_max_age: int, cache: str = "redis") -> dict:
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
    # Not the dev site's file cache: it lists its whole folder on every write, which would
    # measure the dev site rather than the report path.
    settings.CACHES = {"default": dict(CACHES[cache])}
    django.setup()
    from django.core.management import call_command

    _install_floor_urls()
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


def _floor_view(request):
    """The floor: authenticated (session and user read), CSRF checked, nothing else done."""
    from django.http import HttpResponseForbidden, JsonResponse

    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return JsonResponse({"ok": True})


def _install_floor_urls() -> None:
    """The dev site's URLs plus the floor view, as a URL configuration of its own."""
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, path

    from conf.devsite import urls as devsite_urls

    # The floor is matched where the URL resolver reaches the plugin's patterns: it walks the
    # same host patterns before it as the report does (an LMS has many), not fewer.
    patterns = list(devsite_urls.urlpatterns)
    plugin = next(
        i for i, entry in enumerate(patterns) if getattr(entry, "namespace", None) == "elearn"
    )
    patterns.insert(plugin, path(FLOOR_PATH.lstrip("/"), _floor_view))
    module = types.ModuleType(BENCH_URLCONF)
    module.urlpatterns = patterns
    sys.modules[BENCH_URLCONF] = module
    settings.ROOT_URLCONF = BENCH_URLCONF
    clear_url_caches()


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
        # The backend a password sign-in is recorded under: the host's model backend, last in
        # the list (the plugin's sign-in gate, first, signs nobody in).
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
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


class _Path:
    """One measured path: builds each request and keeps the timings of its rounds."""

    def __init__(self, app, browsers):
        self.app = app
        self.browsers = browsers
        self.serial = 0
        self.reset()

    def reset(self) -> None:
        """Forget the figures (after the warm-up); the learners' state stays."""
        self.sent = self.accepted = 0
        self.wall = self.cpu = 0.0
        self.rates: list[float] = []

    def request(self, n: int) -> dict:
        raise NotImplementedError

    def accept(self, n: int, status: int) -> None:
        self.accepted += status == 200

    def round(self, count: int) -> None:
        ok_before = self.accepted
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            n = self.serial
            self.serial += 1
            self.sent += 1
            status, _body = _call(self.app, self.request(n))
            self.accept(n, status)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        self.wall += wall
        self.cpu += cpu
        self.rates.append((self.accepted - ok_before) / wall)

    def figures(self) -> dict:
        rates = sorted(self.rates)
        return {
            "reports": self.sent,
            "accepted": self.accepted,
            "refused": self.sent - self.accepted,
            "seconds": round(self.wall, 3),
            "accepted_per_second": round(self.accepted / self.wall, 1),
            "median_round_per_second": round(rates[len(rates) // 2], 1),
            "ms_per_report": round(1000 * self.wall / max(1, self.sent), 3),
            "cpu_ms_per_report": round(1000 * self.cpu / max(1, self.sent), 3),
        }


class PluginEndpoint(_Path):
    """POST /elearn/api/v1/video/report: {token, seq, start, end}, contiguous segments."""

    PATH = "/elearn/api/v1/video/report"

    def __init__(self, app, browsers, users):
        from elearn_plugin.video import services
        from elearn_plugin.video.services import VideoSpec

        super().__init__(app, browsers)
        spec = VideoSpec(
            "block-v1:Bench+V+2026+type@elearn_video+block@v", "course-v1:Bench+V+2026", 86000.0
        )
        self.sessions = [[services.start_session(user, spec).token, 0] for user in users]
        # The first report of a session is measured from its issue time (rate rule).
        time.sleep(0.05)

    def request(self, n: int) -> dict:
        i = n % len(self.browsers)
        token, seq = self.sessions[i]
        start = seq * 0.001
        body = json.dumps(
            {"token": token, "seq": seq + 1, "start": start, "end": round(start + 0.001, 3)}
        ).encode()
        return self.browsers[i].environ(self.PATH, "", body)

    def accept(self, n: int, status: int) -> None:
        super().accept(n, status)
        if status == 200:
            self.sessions[n % len(self.browsers)][1] += 1


class Floor(_Path):
    """POST to the authenticated no-op view, with the report's cookies and JSON body."""

    def request(self, n: int) -> dict:
        i = n % len(self.browsers)
        body = json.dumps({"token": "x" * 120, "seq": n + 1, "start": 0.0, "end": 0.001}).encode()
        return self.browsers[i].environ(FLOOR_PATH, "", body)


class UserStateHandler(_Path):
    """POST to the workbench handler of a block that saves its position in user_state."""

    def __init__(self, app, browsers, users):
        from workbench.scenarios import SCENARIOS, add_xml_scenario

        super().__init__(app, browsers)
        if "bench_state_video.0" not in SCENARIOS:
            add_xml_scenario("bench_state_video.0", "Bench state", "<bench_state_video/>")
        usage_id = SCENARIOS["bench_state_video.0"].usage_id
        self.path = f"/workbench/handler/{usage_id}/save_user_state/"
        self.students = [f"student={user.pk}" for user in users]

    def request(self, n: int) -> dict:
        i = n % len(self.browsers)
        body = json.dumps({"start": n * 0.001, "end": n * 0.001 + 0.001}).encode()
        return self.browsers[i].environ(self.path, self.students[i], body)


def _run(
    backend: str, reports: int, learners: int, conn_max_age: int, rounds: int, cache: str
) -> dict:
    with tempfile.TemporaryDirectory() as var:
        try:
            setup = _setup(backend, var, conn_max_age, cache)
            from django.contrib.auth import get_user_model
            from django.core.handlers.wsgi import WSGIHandler
            from xblock.core import XBlock

            users = [
                get_user_model().objects.create_user(f"bench{i}", password="bench-pass-1234")
                for i in range(learners)
            ]
            browsers = [Browser(user) for user in users]
            app = WSGIHandler()
            results: dict = {
                "transport": TRANSPORT,
                "order": f"{rounds} alternating rounds per path, same process and database",
                "setup": setup,
            }
            register = XBlock.register_temp_plugin(_state_block(), "bench_state_video")

            def both() -> None:
                paths = {
                    "plugin_endpoint": PluginEndpoint(app, browsers, users),
                    "xblock_user_state_handler": UserStateHandler(app, browsers, users),
                    "floor_noop_view": Floor(app, browsers),
                }
                # Warm up (imports, URL resolver, policy and caches), then forget the figures.
                for path in paths.values():
                    path.round(learners)
                    path.reset()
                per_round = max(1, reports // rounds)
                for _ in range(rounds):
                    for path in paths.values():
                        path.round(per_round)
                for name, path in paths.items():
                    results[name] = path.figures()

            register(both)()
            plugin = results["plugin_endpoint"]["accepted_per_second"] or 1
            baseline = results["xblock_user_state_handler"]["accepted_per_second"] or 1
            floor = results["floor_noop_view"]["accepted_per_second"]
            results["ratio_plugin_to_user_state"] = round(plugin / baseline, 2)
            results["ratio_floor_to_plugin"] = round(floor / plugin, 2)
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
        default=60,
        help="CONN_MAX_AGE for both paths: 60 keeps the connection as a production worker does; "
        "0 (Django's default) opens one per request",
    )
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per path")
    parser.add_argument("--backend", choices=("sqlite", "mariadb"))
    parser.add_argument("--cache", choices=tuple(CACHES), default="redis")
    args = parser.parse_args()
    if min(args.reports, args.learners, args.rounds) < 1:
        parser.error("--reports, --learners and --rounds must be at least 1")
    if args.backend:
        figures = _run(
            args.backend, args.reports, args.learners, args.conn_max_age, args.rounds, args.cache
        )
        print(json.dumps(figures))
        return
    report = {"benchmark": "video_reports", "python": sys.version.split()[0], "backends": {}}
    for backend, cache in [(b, c) for b in ("sqlite", "mariadb") for c in CACHES]:
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
                "--rounds",
                str(args.rounds),
                "--cache",
                cache,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
        )
        if proc.returncode == 0 and proc.stdout.strip():
            report["backends"][f"{backend}+{cache}"] = json.loads(
                proc.stdout.strip().splitlines()[-1]
            )
        else:
            report["backends"][f"{backend}+{cache}"] = {
                "skipped": proc.stderr.strip().splitlines()[-3:]
            }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
