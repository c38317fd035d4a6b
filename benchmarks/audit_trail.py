"""What the audit trail costs: a bulk writer with its events, the sealer and the verifier.

On SQLite and on MariaDB in one run (each in its own process, a throwaway database built by
the real `migrate`):
- `impose_bulk` of N suspensions with their `sanction.imposed` events, against the baseline
  of the same writer with the trail switched off (its two audit steps replaced by no-ops);
- `chain.seal()` over the N events (rows per second), against the baseline of computing the
  same HMACs in memory (the sealer's own Python work, no database);
- `chain.verify(full=True)` over the sealed chain (rows per second).
Prints JSON; never asserted.

    python benchmarks/audit_trail.py [--rows 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from _db import mariadb, mysql_admin  # noqa: E402 (the script's own folder)

MARIADB = mariadb("elearn_bench_audit")
BENCH_DB = MARIADB["NAME"]


def _mysql_admin(statement: str) -> None:
    mysql_admin(MARIADB, statement)


def _setup(backend: str, var: str) -> None:
    os.environ["ELEARN_DEVSITE_VAR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "conf.devsite.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if backend == "mariadb":
        _mysql_admin(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
        _mysql_admin(f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4")
        settings.DATABASES["default"] = dict(MARIADB)
    # The platform's shared cache (Tutor runs Redis), not the dev site's file cache.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("ELEARN_BENCH_REDIS", "redis://127.0.0.1:6379/5"),
        }
    }
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)


def _users(n: int) -> list[int]:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    model.objects.bulk_create([model(username=f"bench{i}") for i in range(n)], batch_size=500)
    return list(model.objects.order_by("id").values_list("id", flat=True))


@contextlib.contextmanager
def _trail_off(services):
    """The writer as it was before the trail: no read-back of its rows, no events."""
    from elearn_plugin.core.upsert import insert_ignoring_conflicts

    saved = services._audit_imposed, services.insert_returning_ours
    services._audit_imposed = lambda actor, rows: None

    def insert_only(model, objs, *_marker_args):
        insert_ignoring_conflicts(model, objs)
        return []  # no rows read back, so no events

    services.insert_returning_ours = insert_only
    try:
        yield
    finally:
        services._audit_imposed, services.insert_returning_ours = saved


def _clear() -> None:
    from elearn_plugin.audit.models import AuditChain, AuditEvent
    from elearn_plugin.standing.models import Sanction

    Sanction.objects.all().delete()
    AuditEvent.objects.all().delete()
    AuditChain.objects.all().delete()


def _run(backend: str, rows: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as var:
        _setup(backend, var)
        from django.utils import timezone

        from elearn_plugin.audit import acting_as, chain
        from elearn_plugin.audit.models import AuditEvent
        from elearn_plugin.standing import services

        user_ids = _users(rows)
        ends = timezone.now() + timedelta(days=30)
        specs = [
            services.SanctionSpec(uid, "suspension", "missed_tasks", "missed:2026-11", ends_at=ends)
            for uid in user_ids
        ]
        timings: dict[str, list[float]] = {k: [] for k in ("writer", "bare", "seal", "verify")}
        hmac_only: list[float] = []
        for _ in range(rounds):
            _clear()
            with acting_as("job:bench"), _trail_off(services):
                started = time.perf_counter()
                services.impose_bulk(specs)
                timings["bare"].append(time.perf_counter() - started)
            _clear()
            with acting_as("job:bench"):
                started = time.perf_counter()
                services.impose_bulk(specs)
                timings["writer"].append(time.perf_counter() - started)
                events = list(AuditEvent.objects.order_by("id"))
                started = time.perf_counter()
                previous = ""
                for seq, event in enumerate(events, 1):
                    previous = chain.mac_of(b"k" * 32, event, seq, "bench", previous)
                hmac_only.append(time.perf_counter() - started)
                started = time.perf_counter()
                sealed = chain.seal()
                timings["seal"].append(time.perf_counter() - started)
                started = time.perf_counter()
                result = chain.verify(full=True)
                timings["verify"].append(time.perf_counter() - started)
            assert sealed == rows and result.ok and result.checked == rows
        if backend == "mariadb":
            _mysql_admin(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
        med = {k: statistics.median(v) for k, v in timings.items()}
        hmac_median = statistics.median(hmac_only)
        return {
            "rows": rows,
            "rounds": rounds,
            "impose_bulk_with_trail_seconds": round(med["writer"], 3),
            "baseline_without_trail_seconds": round(med["bare"], 3),
            "ratio_with_to_without_trail": round(med["writer"] / med["bare"], 2),
            "seal_rows_per_second": round(rows / med["seal"]),
            "baseline_hmac_only_rows_per_second": round(rows / hmac_median),
            "verify_rows_per_second": round(rows / med["verify"]),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "mariadb"))
    args = parser.parse_args()
    if min(args.rows, args.rounds) < 1:
        parser.error("--rows and --rounds must be at least 1")
    if args.backend:
        print(json.dumps(_run(args.backend, args.rows, args.rounds)))
        return
    report = {"benchmark": "audit_trail", "python": sys.version.split()[0], "backends": {}}
    for backend in ("sqlite", "mariadb"):
        proc = subprocess.run(
            [sys.executable, __file__, "--backend", backend, "--rows", str(args.rows)]
            + ["--rounds", str(args.rounds)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
        )
        if proc.returncode == 0 and proc.stdout.strip():
            report["backends"][backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            report["backends"][backend] = {"error": proc.stderr.strip().splitlines()[-1:]}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
