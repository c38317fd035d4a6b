"""What a month close costs: N learners judged, their standings, sanctions and messages written.

For each backend (SQLite, MariaDB) and size, in one run: a throwaway database built by the
real `migrate`, filled with raw bulk inserts (`_month_data.py`: about ten assignments and
ten completions per learner, learning time, 4.5 % suspended, 30 % below quota, some already
sanctioned), loaded in a process of its own so that the closing process starts clean. Then,
in one measuring process:

- the close: `runner.close_through` of March 2026 with the inline runner (a copy of the
  default policy with `effective_from: 2026-03-01`, so only that month is closed), median of
  `--repeat` runs, each from an empty close (its rows deleted between runs);
- the naive baseline: per learner, `load_chunk([user_id])`, `judge`, then a `Standing` row,
  `standing.services.impose` and `outbox.services.enqueue` in one transaction, timed on a
  sample (`--naive-sample`) and extrapolated to all learners;
- the floor: one read of the month's facts for every learner (the five queries of
  `load_chunk` without the `user_id IN` list, rows fetched, nothing judged) and one bulk
  insert of the standing rows (`bulk_create` of constant rows with a real verdict's
  evidence, in batches of a chunk), median of `--repeat`;
- on MariaDB, the close with the Celery runner against 1 and then 2 `celery worker`
  processes (solo pool, the platform's `lms.celery` app and queues, Redis broker);
- peak memory: the closing process's peak resident set (Linux `VmHWM`, reset through
  `/proc/self/clear_refs` before each close), and the workers' `VmHWM` before they stop.
- a cProfile of one chunk's judge and apply steps (the functions with most own time).

Prints one JSON document; never asserted.

    python benchmarks/month_close.py [--sizes 10000] [--backends sqlite,mariadb] [--repeat 3]
        [--naive-sample 1000] [--workers 1,2]

Goals (the issue): 200k learners in under 60 s on one worker (median of 3), at least 10x the
naive loop, within 3x of the floor, peak memory under 500 MB; the worker ratio is reported
with the machine's core count.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
from _db import mariadb, mysql_admin  # noqa: E402 (the script's own folder)
from _harness import (  # noqa: E402
    bench_env,
    log,
    policy_copy,
    run_child,
    server_info,
    setup_django,
)

MARIADB = mariadb("elearn_bench_month")
BENCH_DB = MARIADB["NAME"]
PLATFORM_ROOT = ROOT / "tests" / "host" / "platform"
SETTINGS = "_month_settings"
MONTH = "2026-03"
GOALS = {
    "learners": 200_000,
    "close_seconds_max": 60.0,
    "speedup_over_naive_min": 10.0,
    "close_to_floor_max": 3.0,
    "peak_memory_mb_max": 500.0,
}
WORKER_QUEUES = "edx.lms.core.default,edx.lms.core.high,edx.lms.core.high_mem"
WORKER_READY_SECONDS = 60.0


def _env(backend: str, var: str, policy: str) -> dict[str, str]:
    return bench_env(SETTINGS, "ELEARN_BENCH_MONTH_BACKEND", backend, var, policy)


def _policy_copy(folder: str) -> str:
    return policy_copy(folder, f"{MONTH}-01")


def _setup() -> None:
    setup_django()


def _log(message: str) -> None:
    log("month_close", message)


# --- memory -------------------------------------------------------------------------------


def _reset_peak() -> bool:
    """Reset this process's peak resident set (Linux >= 4.0); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _hwm_mb(pid: int | str = "self") -> float | None:
    """Peak resident set (`VmHWM`) of a process in MB, None when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- the database -------------------------------------------------------------------------


def _load(backend: str, size: int) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    migrated = time.perf_counter()
    import _month_data

    data = _month_data.load(size, progress=lambda step: _log(f"{backend} {size}: {step}"))
    done = time.perf_counter()
    data["migrate_seconds"] = round(migrated - started, 1)
    data["load_seconds"] = round(done - migrated, 1)
    return data


def _close_sources() -> list[str]:
    from elearn_plugin.month_close import consequences

    return [consequences.source_of(c, MONTH) for c in consequences.RULES]


def _reset() -> None:
    """Delete every row a close of the month writes (the learners' facts stay)."""
    from django.db import connection, transaction

    from elearn_plugin.audit.models import AuditChain, AuditEvent
    from elearn_plugin.hours.models import UnitMonthHours
    from elearn_plugin.month_close.models import CloseChunk, MonthClose, Standing
    from elearn_plugin.outbox.models import OutboxMessage
    from elearn_plugin.rankings.models import Ranking, RankingEntry
    from elearn_plugin.standing.models import Sanction

    # The closing hooks' rows too: the hours refer to the close (a DELETE of the close
    # failed on SQLite), and a repeat finding them would skip the hooks' work.
    models = (UnitMonthHours, RankingEntry, Ranking, Standing, CloseChunk, MonthClose)
    tables = [m._meta.db_table for m in (*models, OutboxMessage, AuditEvent, AuditChain)]
    sources = _close_sources()
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("SET foreign_key_checks=0")
            for table in tables:
                cursor.execute(f"TRUNCATE TABLE {table}")
            cursor.execute("SET foreign_key_checks=1")
        else:
            with transaction.atomic():
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
        marks = ", ".join(["%s"] * len(sources))
        cursor.execute(f"DELETE FROM {Sanction._meta.db_table} WHERE source IN ({marks})", sources)


def _written() -> dict:
    from elearn_plugin.audit.models import AuditEvent
    from elearn_plugin.month_close.models import Standing
    from elearn_plugin.outbox.models import OutboxMessage
    from elearn_plugin.standing.models import Sanction

    return {
        "standings": Standing.objects.count(),
        "sanctions": Sanction.objects.filter(source__in=_close_sources()).count(),
        "messages": OutboxMessage.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def _close_figures(close) -> dict:
    def seconds(a, b):
        return round((b - a).total_seconds(), 3) if a and b else None

    return {
        "status": close.status,
        "chunks": close.chunk_count,
        "learners": close.learners,
        "warnings": close.warnings,
        "suspensions": close.suspensions,
        "revocations": close.revocations,
        "judge_seconds": seconds(close.decided_at, close.judged_at),
        "apply_seconds": seconds(close.judged_at, close.closed_at),
    }


# --- what is measured ---------------------------------------------------------------------


class Month:
    """The policy copy, its digest and the month, as the measuring process uses them."""

    def __init__(self) -> None:
        from django.conf import settings

        from elearn_plugin.policy.loader import load_policy
        from elearn_plugin.policy.runtime import file_digest
        from elearn_plugin.rules.periods import period_from_label

        path = settings.ELEARN_POLICY_FILE
        self.policy = load_policy(path)
        self.digest = file_digest(path)
        self.period = period_from_label(MONTH, self.policy.tz)


def _close(month: Month, runner: str, wait_seconds: float | None = None):
    from django.utils import timezone

    from elearn_plugin.audit import acting_as
    from elearn_plugin.month_close.models import MonthClose
    from elearn_plugin.month_close.runner import close_through

    with acting_as("job:month_close"):
        states = close_through(
            month.period,
            month.policy,
            month.digest,
            runner=runner,
            now=timezone.now(),
            wait_seconds=wait_seconds,
        )
    if [s.period for s in states] != [MONTH]:
        raise RuntimeError(f"expected to close {MONTH} only, closed {[s.period for s in states]}")
    return MonthClose.objects.get(period=MONTH)


def measure_close(month: Month, repeat: int) -> tuple[dict, dict]:
    """The inline close, `repeat` times from empty; also one standing's evidence (the floor's)."""
    from elearn_plugin.month_close.models import Standing

    runs, peaks, last = [], [], None
    resettable = True
    for n in range(repeat):
        _reset()
        resettable = _reset_peak() and resettable
        started = time.perf_counter()
        close = _close(month, "inline")
        runs.append(time.perf_counter() - started)
        peaks.append(_hwm_mb())
        last = _close_figures(close)
        _log(f"inline close {n + 1}/{repeat}: {runs[-1]:.1f} s, {last}")
    last["rows_written"] = _written()
    evidence = (
        Standing.objects.filter(consequences=[]).values_list("evidence", flat=True).first() or {}
    )
    figures = {
        "seconds_median": round(statistics.median(runs), 3),
        "seconds_runs": [round(r, 3) for r in runs],
        "learners_per_second": round(last["learners"] / statistics.median(runs)),
        "last_run": last,
        "peak_rss_mb": max(p for p in peaks if p is not None) if any(peaks) else None,
        "peak_rss_source": (
            "VmHWM of the closing process, reset through /proc/self/clear_refs before each close"
            if resettable
            else "VmHWM of the closing process since it started (the reset is unsupported)"
        ),
        "ru_maxrss_mb_process": _maxrss_mb(),
    }
    return figures, evidence


def measure_floor(month: Month, repeat: int, evidence: dict) -> dict:
    """One read of every learner's facts for the month, and one bulk insert of the standings."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from elearn_plugin.courses.models import (
        Assignment,
        AssignmentSource,
        CourseCompletion,
        CourseKind,
        CoursePolicy,
    )
    from elearn_plugin.month_close.chunks import CHUNK_LEARNERS, population
    from elearn_plugin.month_close.facts import BLOCKING
    from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
    from elearn_plugin.org.models import Membership
    from elearn_plugin.rules.periods import months_back
    from elearn_plugin.standing.models import Sanction, SanctionKind

    period = month.period
    window_start = months_back(period, month.policy.revocation.window_months)[0].start_utc
    reads, writes, rows_read = [], [], 0
    for _ in range(repeat):
        _reset()
        started = time.perf_counter()
        ids = list(population(period))
        assignments = Assignment.objects.all()
        if not month.policy.assignments.electives_are_tasks:
            assignments = assignments.exclude(source=AssignmentSource.CHOSEN)
        queries = [
            assignments.values_list("user_id", "course_key", "due_at", "withdrawn_at"),
            CourseCompletion.objects.values_list("user_id", "course_key", "completed_at"),
            CoursePolicy.objects.filter(kind=CourseKind.REQUIRED).values_list(
                "course_key", flat=True
            ),
            Membership.objects.filter(valid_from__lt=period.end_utc)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=window_start))
            .values_list("user_id", "valid_from", "valid_to", "unit_id"),
            Sanction.objects.filter(
                kind__in=[*BLOCKING, SanctionKind.REVOCATION], starts_at__lt=period.end_utc
            ).values_list("user_id", "kind", "starts_at", "ends_at", "lifted_at"),
        ]
        rows_read = len(ids)
        for query in queries:
            rows_read += len(list(query))  # fetched, then dropped
        read = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            close = MonthClose.objects.create(
                period=MONTH,
                status=CloseStatus.CLOSED,
                policy_hash=month.digest,
                decided_at=now,
            )
            Standing.objects.bulk_create(
                [
                    Standing(
                        close=close,
                        period=MONTH,
                        user_id=uid,
                        unit_id=None,
                        required_completed=2,
                        quota=2,
                        quota_met=True,
                        missed_tasks=0,
                        months_with_misses=0,
                        consequences=[],
                        exempt="",
                        evidence=evidence,
                        judged_at=now,
                    )
                    for uid in ids
                ],
                batch_size=CHUNK_LEARNERS,
            )
        done = time.perf_counter()
        reads.append(read - started)
        writes.append(done - read)
    total = [r + w for r, w in zip(reads, writes, strict=True)]
    return {
        "seconds_median": round(statistics.median(total), 3),
        "read_seconds_median": round(statistics.median(reads), 3),
        "insert_seconds_median": round(statistics.median(writes), 3),
        "rows_read": rows_read,
        "what": "population + the five load_chunk queries over every learner (no IN list, "
        "rows fetched, not judged) + bulk_create of one constant Standing per learner "
        f"(a real verdict's evidence) in batches of {CHUNK_LEARNERS}",
    }


def measure_naive(month: Month, sample: int, learners: int) -> dict:
    """Per learner through the same services: facts, verdict, standing, sanctions, messages."""
    from django.db import transaction
    from django.utils import timezone

    from elearn_plugin.audit import acting_as
    from elearn_plugin.month_close import consequences
    from elearn_plugin.month_close.chunks import population
    from elearn_plugin.month_close.facts import load_chunk, month_rules
    from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
    from elearn_plugin.outbox.services import enqueue
    from elearn_plugin.rules.month_verdicts import judge
    from elearn_plugin.standing.services import impose

    _reset()
    everyone = list(population(month.period))
    ids = sorted(random.Random(0).sample(everyone, min(sample, len(everyone))))
    rules = month_rules(month.policy)
    quota_email = month.policy.quota.reminder_email
    decided = timezone.now()
    close = MonthClose.objects.create(
        period=MONTH, status=CloseStatus.JUDGING, policy_hash=month.digest, decided_at=decided
    )
    started = time.perf_counter()
    with acting_as("job:month_close"):
        for uid in ids:
            with transaction.atomic():
                facts, unit_of = load_chunk([uid], month.period, month.policy)
                verdict = judge(facts[0], rules, month.period, decided)
                Standing.objects.create(
                    close=close,
                    period=MONTH,
                    user_id=uid,
                    unit_id=unit_of.get(uid),
                    judged_at=timezone.now(),
                    **consequences.standing_fields(verdict),
                )
                row = (uid, list(verdict.consequences), verdict.evidence())
                specs = consequences.sanction_specs(MONTH, [row], decided, decided)
                for spec in specs:
                    impose(
                        spec.user_id,
                        spec.kind,
                        spec.reason_code,
                        spec.source,
                        starts_at=spec.starts_at,
                        ends_at=spec.ends_at,
                        evidence=spec.evidence,
                    )
                for msg in consequences.messages(
                    MONTH, [row], specs, quota_email=quota_email, tz=month.policy.tz
                ):
                    enqueue(msg.key, msg.message_type, msg.user_id, msg.context)
    elapsed = time.perf_counter() - started
    written = _written()
    _reset()
    return {
        "sample_learners": len(ids),
        "sample_seconds": round(elapsed, 3),
        "learners_per_second": round(len(ids) / elapsed, 1),
        "extrapolated_seconds": round(elapsed / len(ids) * learners, 1),
        "extrapolated": True,
        "sample_rows_written": written,
        "what": "timed on a random sample of the learners (seed 0), extrapolated linearly "
        "to all learners: per learner load_chunk([id]) + judge + "
        "Standing.objects.create + standing.services.impose per sanction + "
        "outbox.services.enqueue per message, in one transaction",
    }


def profile_chunk(month: Month, top: int = 10) -> dict:
    """cProfile of chunk 0's judge step and then its apply step (the rest run unprofiled)."""
    from elearn_plugin.audit import acting_as
    from elearn_plugin.month_close import chunks, services
    from elearn_plugin.month_close.runner import run_inline, step

    def table(profiler: cProfile.Profile) -> dict:
        stats = pstats.Stats(profiler)
        total = stats.total_tt
        entries = []
        for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
            short = filename.replace(str(ROOT) + "/", "")
            if "site-packages/" in short:
                short = short.split("site-packages/", 1)[1]
            entries.append((tottime, cumtime, calls, f"{short}:{line}({name})"))
        own = sorted(entries, reverse=True)[:top]
        cumulative = sorted(entries, key=lambda e: e[1], reverse=True)[:top]
        ours = sorted(
            (e for e in entries if e[3].startswith("elearn_plugin/")),
            key=lambda e: e[1],
            reverse=True,
        )[:top]
        return {
            "seconds": round(total, 3),
            "by_own_time": [
                {"fn": f, "own_s": round(t, 3), "cum_s": round(c, 3), "calls": n}
                for t, c, n, f in own
            ],
            "by_cumulative": [
                {"fn": f, "own_s": round(t, 3), "cum_s": round(c, 3), "calls": n}
                for t, c, n, f in cumulative
            ],
            "elearn_plugin_by_cumulative": [
                {"fn": f, "own_s": round(t, 3), "cum_s": round(c, 3), "calls": n}
                for t, c, n, f in ours
            ],
        }

    _reset()
    with acting_as("job:month_close"):
        close = services.begin(month.period, month.policy, month.digest, runner="inline")
        judge = cProfile.Profile()
        judge.runcall(chunks.judge_chunk, close.pk, 0, month.policy, month.period)
        for index in chunks.pending(close):
            step(close.pk, index, month.policy, month.period)
        close = services.advance(close.pk, month.policy)
        apply = cProfile.Profile()
        apply.runcall(step, close.pk, 0, month.policy, month.period)
        run_inline(close, month.policy, month.period)
    _reset()
    return {"judge_chunk_0": table(judge), "apply_chunk_0": table(apply)}


# --- Celery workers -----------------------------------------------------------------------


def _start_workers(count: int, log_dir: Path) -> list[tuple[subprocess.Popen, Path]]:
    celery = str(Path(sys.executable).with_name("celery"))
    workers = []
    for n in range(count):
        log_path = log_dir / f"worker{n}.log"
        cmd = [
            celery,
            "--app=lms.celery",
            "worker",
            "--pool=solo",
            "-c",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--queues={WORKER_QUEUES}",
            "-n",
            f"elearn-bench-month-{os.getpid()}-{n}@%h",
            "--loglevel=INFO",
            # Chunks are long tasks: one reserved at a time keeps two workers evenly loaded.
            "--prefetch-multiplier=1",
        ]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(  # noqa: S603
                cmd, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT
            )
        workers.append((proc, log_path))
    deadline = time.monotonic() + WORKER_READY_SECONDS
    for proc, log_path in workers:
        while " ready." not in log_path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop_workers(workers)
                raise RuntimeError(
                    "celery worker not ready: " + log_path.read_text(errors="replace")[-2000:]
                )
            time.sleep(0.2)
    return workers


def _stop_workers(workers) -> None:
    for proc, _log_path in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc, _log_path in workers:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def measure_workers(month: Month, counts: list[int], repeat: int, timeout: float) -> dict:
    """The close with the Celery runner, the chunks run by 1, then 2, worker processes."""
    from lms.celery import APP

    from elearn_plugin.month_close.models import CloseStatus

    out: dict = {}
    with tempfile.TemporaryDirectory() as logs:
        for count in counts:
            runs, peaks, last = [], [], None
            for _ in range(repeat):
                _reset()
                APP.control.purge()
                workers = _start_workers(count, Path(logs))
                try:
                    started = time.perf_counter()
                    close = _close(month, "celery", wait_seconds=timeout)
                    runs.append(time.perf_counter() - started)
                    peaks.extend(_hwm_mb(proc.pid) for proc, _ in workers)
                    last = _close_figures(close)
                    if close.status != CloseStatus.CLOSED:
                        raise RuntimeError(
                            f"celery close not closed after {timeout}s: {last}; worker log: "
                            + workers[0][1].read_text(errors="replace")[-2000:]
                        )
                finally:
                    _stop_workers(workers)
                _log(f"celery close, {count} worker(s): {runs[-1]:.1f} s")
            out[str(count)] = {
                "seconds_median": round(statistics.median(runs), 3),
                "seconds_runs": [round(r, 3) for r in runs],
                "last_run": last,
                "worker_peak_rss_mb": max((p for p in peaks if p is not None), default=None),
            }
    if "1" in out and "2" in out:
        out["speedup_2_workers_over_1"] = round(
            out["1"]["seconds_median"] / out["2"]["seconds_median"], 2
        )
    out["cpu_count"] = os.cpu_count()
    out["note"] = (
        "solo-pool workers (prefetch 1) on the lms.celery app and its queues, Redis broker; "
        "the database "
        "server, the broker and the polling closer share the same machine's cores; the time "
        "includes the close's 0.5 s status polling"
    )
    return out


def _server_info() -> dict:
    return server_info()


def _measure(args) -> dict:
    month = Month()
    from django.conf import settings

    result: dict = {"learners": args.size, "server": _server_info()}
    result["close_inline"], evidence = measure_close(month, args.repeat)
    result["floor"] = measure_floor(month, args.floor_repeat or args.repeat, evidence)
    _log(f"floor: {result['floor']['seconds_median']} s")
    result["naive"] = measure_naive(month, args.naive_sample, args.size)
    _log(f"naive: {result['naive']['learners_per_second']} learners/s")
    close_s = result["close_inline"]["seconds_median"]
    result["speedup_over_naive"] = round(result["naive"]["extrapolated_seconds"] / close_s, 1)
    result["close_to_floor"] = round(close_s / result["floor"]["seconds_median"], 2)
    if not args.no_profile:
        result["profile"] = profile_chunk(month)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if workers and "mysql" in settings.DATABASES["default"]["ENGINE"]:
        try:
            result["celery"] = measure_workers(month, workers, args.worker_repeat, args.timeout)
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            result["celery"] = {"error": f"{type(exc).__name__}: {exc}"[:3000]}
    return result


# --- the run ------------------------------------------------------------------------------


def _child(role: str, backend: str, size: int, env: dict, args, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--role", role, "--backend", backend, "--size", str(size)]
    cmd += ["--repeat", str(args.repeat), "--naive-sample", str(args.naive_sample)]
    cmd += ["--floor-repeat", str(args.floor_repeat or args.repeat)]
    cmd += ["--workers", args.workers, "--worker-repeat", str(args.worker_repeat)]
    cmd += ["--timeout", str(args.timeout)] + (["--no-profile"] if args.no_profile else [])
    return run_child(role, cmd, env, timeout)


def _run_backend(backend: str, size: int, args) -> dict:
    with tempfile.TemporaryDirectory() as var:
        env = _env(backend, var, _policy_copy(var))
        try:
            if backend == "mariadb":
                mysql_admin(MARIADB, f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
                mysql_admin(
                    MARIADB,
                    f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4 "
                    "COLLATE utf8mb4_unicode_ci",
                )
            data = _child("load", backend, size, env, args, timeout=3 * 3600)
            if "error" in data:
                return {"load": data}
            figures = _child("measure", backend, size, env, args, timeout=6 * 3600)
            return {"data": data, **figures}
        except Exception as exc:  # noqa: BLE001 - one backend's failure is reported
            return {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            if backend == "mariadb":
                try:
                    mysql_admin(MARIADB, f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
                except Exception as exc:  # noqa: BLE001
                    _log(f"could not drop {BENCH_DB}: {exc}")


def _goals(report: dict) -> dict:
    """The goals checked on the largest MariaDB size measured (else the largest SQLite one)."""
    for backend in ("mariadb", "sqlite"):
        sizes = {
            int(n): r for n, r in report["backends"].get(backend, {}).items() if "close_inline" in r
        }
        if sizes:
            break
    else:
        return {"evaluated": False, "why": "no close was measured"}
    size = max(sizes)
    r = sizes[size]
    close_s = r["close_inline"]["seconds_median"]
    at_goal = size == GOALS["learners"]
    out = {
        "evaluated_on": f"{backend}, {size} learners, inline runner, median of "
        f"{len(r['close_inline']['seconds_runs'])}",
        "close_seconds": close_s,
        "close_seconds_at_200k": close_s if at_goal else None,
        "close_seconds_at_200k_extrapolated": None
        if at_goal
        else round(close_s * GOALS["learners"] / size, 1),
        "speedup_over_naive": r["speedup_over_naive"],
        "close_to_floor": r["close_to_floor"],
        "peak_rss_mb": r["close_inline"]["peak_rss_mb"],
    }
    limit = close_s if at_goal else out["close_seconds_at_200k_extrapolated"]
    out["met"] = {
        "close_under_60s_at_200k": (limit < GOALS["close_seconds_max"])
        if at_goal
        else f"not measured at 200k (linear extrapolation: {limit} s)",
        "at_least_10x_naive": r["speedup_over_naive"] >= GOALS["speedup_over_naive_min"],
        "within_3x_of_floor": r["close_to_floor"] <= GOALS["close_to_floor_max"],
        "peak_memory_under_500mb": (r["close_inline"]["peak_rss_mb"] or 0)
        < GOALS["peak_memory_mb_max"],
    }
    celery = r.get("celery", {})
    if "speedup_2_workers_over_1" in celery:
        out["speedup_2_workers_over_1"] = celery["speedup_2_workers_over_1"]
        out["cpu_count"] = celery["cpu_count"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="learners, comma-separated")
    parser.add_argument("--backends", default="sqlite,mariadb")
    parser.add_argument("--repeat", type=int, default=3, help="closes (and floors) per size")
    parser.add_argument("--naive-sample", type=int, default=1000)
    parser.add_argument("--floor-repeat", type=int, help="floors per size (default --repeat)")
    parser.add_argument(
        "--workers", default="1,2", help="Celery worker counts on MariaDB ('' to skip)"
    )
    parser.add_argument("--worker-repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per Celery close")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--role", choices=("load", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=("sqlite", "mariadb"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.repeat, args.naive_sample, args.worker_repeat, args.floor_repeat or 1) < 1:
        parser.error("--repeat, --floor-repeat, --naive-sample, --worker-repeat: at least 1")
    if args.role:
        _setup()
        if args.role == "load":
            result = _load(args.backend, args.size)
        else:
            result = _measure(args)
        print(json.dumps(result))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not sizes or min(sizes) < 1 or set(backends) - {"sqlite", "mariadb"}:
        parser.error("--sizes must be positive integers, --backends sqlite and/or mariadb")
    report: dict = {
        "benchmark": "month_close",
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "month": MONTH,
        "goals": GOALS,
        "backends": {},
    }
    for backend in backends:
        for size in sizes:
            _log(f"{backend}, {size} learners")
            report["backends"].setdefault(backend, {})[str(size)] = _run_backend(
                backend, size, args
            )
    report["goals_check"] = _goals(report)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
