"""Accepted watch reports per second per process, through the full middleware stack (P-17).

Compares, on SQLite and on MariaDB in one run, the plugin's report endpoint (session auth,
CSRF, role check, token check, one locked read and one conditional update) with the XBlock
handler path that keeps progress in `user_state`, as the built-in video block saves its state
(the workbench runtime's database-backed field store). Prints JSON; never asserted.

    python benchmarks/video_reports.py [--reports 2000] [--learners 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARIADB = {
    "ENGINE": "django.db.backends.mysql",
    "NAME": os.environ.get("ELEARN_BENCH_MYSQL_DB", "test"),
    "USER": os.environ.get("ELEARN_BENCH_MYSQL_USER", "root"),
    "PASSWORD": os.environ.get("ELEARN_BENCH_MYSQL_PASSWORD", ""),
    "HOST": os.environ.get("ELEARN_BENCH_MYSQL_HOST", "127.0.0.1"),
    "PORT": os.environ.get("ELEARN_BENCH_MYSQL_PORT", "3306"),
    "OPTIONS": {"charset": "utf8mb4"},
    "TEST": {"NAME": "elearn_bench"},
}


def _setup(backend: str, var: str) -> None:
    os.environ["ELEARN_DEVSITE_VAR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.e2e.devsite_settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.ELEARN_VIDEO_RATE_LIMIT = 10**9
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    if backend == "mariadb":
        settings.DATABASES["default"] = MARIADB
    django.setup()
    from django.test.utils import setup_databases

    global _teardown
    _teardown = setup_databases(verbosity=0, interactive=False, keepdb=False)


_teardown = None


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


def _csrf_client(user):
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def _run(backend: str, reports: int, learners: int) -> dict:
    with tempfile.TemporaryDirectory() as var:
        _setup(backend, var)
        from django.contrib.auth import get_user_model
        from django.core.cache import cache
        from xblock.core import XBlock

        from elearn_plugin.video import services
        from elearn_plugin.video.services import VideoSpec

        users = [
            get_user_model().objects.create_user(f"bench{i}", password="bench-pass-1234")
            for i in range(learners)
        ]
        spec = VideoSpec(
            "block-v1:Bench+V+2026+type@elearn_video+block@v", "course-v1:Bench+V+2026", 86000.0
        )
        results = {}

        # The plugin's endpoint.
        clients = []
        for user in users:
            client, csrf = _csrf_client(user)
            grant = services.start_session(user, spec)
            clients.append([client, csrf, grant.token, 0])
        time.sleep(0.05)
        accepted = refused = 0
        started = time.perf_counter()
        for n in range(reports):
            entry = clients[n % learners]
            client, csrf, token, seq = entry
            start = seq * 0.001
            body = json.dumps(
                {"token": token, "seq": seq + 1, "start": start, "end": round(start + 0.001, 3)}
            )
            response = client.post(
                "/elearn/api/v1/video/report",
                body,
                content_type="application/json",
                HTTP_X_CSRFTOKEN=csrf,
            )
            if response.status_code == 200:
                accepted += 1
                entry[3] = seq + 1
            else:
                refused += 1
        elapsed = time.perf_counter() - started
        results["plugin_endpoint"] = {
            "reports": reports,
            "accepted": accepted,
            "refused": refused,
            "seconds": round(elapsed, 3),
            "accepted_per_second": round(accepted / elapsed, 1),
        }

        # The XBlock handler path with progress in user_state (workbench runtime, DB-backed).
        cache.clear()

        def handler_path() -> dict:
            from workbench.scenarios import SCENARIOS, add_xml_scenario

            add_xml_scenario("bench_state_video.0", "Bench state", "<bench_state_video/>")
            usage_id = SCENARIOS["bench_state_video.0"].usage_id
            handler_clients = [_csrf_client(user) for user in users]
            ok = 0
            started = time.perf_counter()
            for n in range(reports):
                client, csrf = handler_clients[n % learners]
                response = client.post(
                    f"/workbench/handler/{usage_id}/save_user_state/?student=bench{n % learners}",
                    json.dumps({"start": n * 0.001, "end": n * 0.001 + 0.001}),
                    content_type="application/json",
                    HTTP_X_CSRFTOKEN=csrf,
                )
                ok += response.status_code == 200
            elapsed = time.perf_counter() - started
            return {
                "reports": reports,
                "accepted": ok,
                "seconds": round(elapsed, 3),
                "accepted_per_second": round(ok / elapsed, 1),
            }

        register = XBlock.register_temp_plugin(_state_block(), "bench_state_video")
        results["xblock_user_state_handler"] = register(handler_path)()
        plugin = results["plugin_endpoint"]["accepted_per_second"]
        baseline = results["xblock_user_state_handler"]["accepted_per_second"] or 1
        results["ratio_plugin_to_user_state"] = round(plugin / baseline, 2)
        if _teardown is not None:
            from django.test.utils import teardown_databases

            teardown_databases(_teardown, verbosity=0)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "mariadb"))
    args = parser.parse_args()
    if args.backend:
        print(json.dumps(_run(args.backend, args.reports, args.learners)))
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
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
        )
        if proc.returncode == 0 and proc.stdout.strip():
            report["backends"][backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            report["backends"][backend] = {"skipped": proc.stderr.strip().splitlines()[-1:]}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
