"""What noting a learner's place costs each signed-in request (P-4, ADR 0016).

On the platform's shared cache (Redis, as Tutor runs it), through the real `PlacesMiddleware`:
N requests of L learners, each with two browser sessions at two addresses taking turns,
against the baseline of the same requests through a middleware that does nothing. Also
counts the evidence rows written (one per learner and pair of sessions). Prints JSON.

    python benchmarks/sign_in_places.py [--requests 20000] [--learners 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(var: str) -> None:
    os.environ["ELEARN_DEVSITE_VAR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "conf.devsite.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("ELEARN_BENCH_REDIS", "redis://127.0.0.1:6379/6"),
        }
    }
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)


def _requests(n: int, learners: int):
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    model = get_user_model()
    model.objects.bulk_create([model(username=f"p{i}") for i in range(learners)])
    users = list(model.objects.order_by("id"))
    factory = RequestFactory()
    sessions: dict = {}
    out = []
    for i in range(n):
        user = users[i % learners]
        side = (i // learners) % 2
        request = factory.get("/courseware", REMOTE_ADDR=f"10.{side}.0.{user.pk % 250}")
        request.user = user
        request.session = sessions.setdefault((user.pk, side), _Session(f"s{user.pk}-{side}"))
        out.append(request)
    return out


class _Session(dict):
    def __init__(self, key: str):
        super().__init__()
        self.session_key = key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        _setup(var)
        from django.core.cache import cache

        from elearn_plugin.sharing.models import SessionOverlap
        from elearn_plugin.sharing.places import PlacesMiddleware

        cache.clear()
        requests = _requests(args.requests, args.learners)

        def page(request):
            return None

        baseline = PlacesMiddleware.__new__(PlacesMiddleware)
        baseline.get_response = page
        timings = {}
        for name, middleware in (
            ("baseline", lambda request: page(request)),
            ("places", PlacesMiddleware(page)),
        ):
            started = time.perf_counter()
            for request in requests:
                middleware(request)
            timings[name] = time.perf_counter() - started
        cache.clear()
        print(
            json.dumps(
                {
                    "requests": args.requests,
                    "learners": args.learners,
                    "baseline_us_per_request": round(timings["baseline"] / args.requests * 1e6, 2),
                    "places_us_per_request": round(timings["places"] / args.requests * 1e6, 2),
                    # Each session is noted once a minute: a run of a few seconds notes one
                    # move per learner, which is never evidence (P-19).
                    "evidence_rows": SessionOverlap.objects.count(),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
