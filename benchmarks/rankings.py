"""What a year ranking (P-25) and a month's hours cap (P-24) cost, against the naive loops.

For each backend (SQLite, MariaDB), in one run: a throwaway database built by the real
`migrate`, filled with raw bulk inserts (`_rankings_data.py`: `--learners` learners with a
person, memberships and a few revocations and freezes; `--ledger-rows` ledger entries over
2026, credits plus contribution points that must not count; the twelve months of 2026
closed, with one standing per learner and month, 30 % of learners missing the quota in one
month and 4 % exempt in some; `--units` units in a tree with `--activities` learning
activities per learner in October 2026), loaded in a process of its own so that the
measuring process starts clean. Then, in one measuring process (policy: a copy of
`conf/policy.yaml` with `effective_from: 2026-01-01`, zone Asia/Shanghai):

- the running credit totals built from the ledger (`ledger.totals.build`, ADR 0014; done
  by the loading process, timed there), as the tick builds them on an upgraded site;
- the year ranking: `rankings.services.compute` of period "2026", median of `--repeat`,
  reading the running totals from the top of their index, with the time of its queries and
  a cProfile;
- the same ranking grouping the ledger (the totals' build row blanked for the run, as on a
  site whose totals are not built): median, its `GROUP BY` alone with every row fetched, its
  `EXPLAIN`, and whether both paths rank the same learners;
- `freeze_ranking` of "2026" (it writes the ranking: its rows are deleted between runs);
- the naive ranking: per learner, one query summing their credits of the year and one
  reading their standings, then eligibility and `rules.rankings.rank` in Python (the people
  and the blocks read once for everyone), timed on a sample (`--naive-sample`) and
  extrapolated linearly to every learner;
- the hours cap: `hours.queries.month_cap_rows` of "2026-10", median of `--repeat`, and its
  naive loop (per learner, one query of their stays and one of their month's activities,
  attributed and summed in Python, then `rules.hours_cap.cap_rows`), sampled alike;
- with `--check`: both naive loops over every learner, compared with the fast results (the
  whole ranking and every cap row); affordable at a few thousand learners.

Prints one JSON document; never asserted.

    python benchmarks/rankings.py [--learners 200000] [--ledger-rows 2000000] [--units 2000]
        [--activities 10] [--backends sqlite,mariadb] [--repeat 3] [--naive-sample 2000]
        [--check]

Goals: the year ranking of 200,000 learners over 2,000,000 ledger rows in under 1 s (median),
and at least 10x faster than the naive path; the hours cap is reported against its naive
path in the same way.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
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

MARIADB = mariadb("elearn_bench_rankings")
BENCH_DB = MARIADB["NAME"]
PLATFORM_ROOT = ROOT / "tests" / "host" / "platform"
SETTINGS = "_rankings_settings"
YEAR = "2026"
HOURS_MONTH = "2026-10"
PRINCIPAL = "job:rankings_bench"
GOALS = {
    "learners": 200_000,
    "ledger_rows": 2_000_000,
    "year_ranking_seconds_max": 1.0,
    "speedup_over_naive_min": 10.0,
}


def _env(backend: str, var: str, policy: str) -> dict[str, str]:
    return bench_env(SETTINGS, "ELEARN_BENCH_RANKINGS_BACKEND", backend, var, policy)


def _policy_copy(folder: str) -> str:
    return policy_copy(folder, f"{YEAR}-01-01")


def _setup() -> None:
    setup_django()


def _log(message: str) -> None:
    log("rankings", message)


def _median(runs: list[float]) -> float:
    return round(statistics.median(runs), 4)


# --- the database -------------------------------------------------------------------------


def _load(args) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    migrated = time.perf_counter()
    import _rankings_data

    data = _rankings_data.load(
        args.learners,
        args.ledger_rows,
        args.units,
        args.activities,
        progress=lambda step: _log(f"{args.backend}: {step}"),
    )
    done = time.perf_counter()
    data["totals"] = _build_totals()
    data["migrate_seconds"] = round(migrated - started, 1)
    data["load_seconds"] = round(done - migrated, 1)
    data["build_seconds"] = round(done - started, 1)
    data["activities_per_learner_in_month"] = args.activities
    return data


def _build_totals() -> dict:
    from elearn_plugin.audit import acting_as
    from elearn_plugin.ledger import totals

    _log("building the running credit totals")
    started = time.perf_counter()
    with acting_as(PRINCIPAL):
        rows = totals.build(Year().policy.tz.key)
    return {
        "build_seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
        "what": "ledger.totals.build: one INSERT ... SELECT ... GROUP BY per month, quarter, "
        "half-year and year the credits span",
    }


class LedgerPath:
    """The totals' build row blanked while inside: rankings group the ledger, as on a site
    whose totals are not built yet."""

    def __enter__(self):
        from elearn_plugin.ledger.models import CreditTotalsBuild

        self.zone = CreditTotalsBuild.objects.get().zone
        CreditTotalsBuild.objects.update(zone="")
        return self

    def __exit__(self, *exc):
        from elearn_plugin.ledger.models import CreditTotalsBuild

        CreditTotalsBuild.objects.update(zone=self.zone)


def _server_info() -> dict:
    return server_info()


def _credit_tables() -> tuple[str, str]:
    from elearn_plugin.ledger.models import CreditTotal, LedgerEntry

    return LedgerEntry._meta.db_table, CreditTotal._meta.db_table


class Recorder:
    """Every query's SQL, parameters and execute time (a `connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


# --- what is measured ---------------------------------------------------------------------


class Year:
    """The policy copy, its digest, the year and the month measured, as the process uses them."""

    def __init__(self) -> None:
        from django.conf import settings

        from elearn_plugin.policy.loader import load_policy
        from elearn_plugin.policy.runtime import file_digest
        from elearn_plugin.rankings.services import effective_start, period_months
        from elearn_plugin.rules.periods import period_from_label

        path = settings.ELEARN_POLICY_FILE
        self.policy = load_policy(path)
        self.digest = file_digest(path)
        self.period = period_from_label(YEAR, self.policy.tz)
        self.month = period_from_label(HOURS_MONTH, self.policy.tz)
        self.start = effective_start(self.period, self.policy)
        self.months = [m.label for m in period_months(self.period, self.policy)]


def _ranked(rows) -> list[tuple]:
    return [(r.rank, r.candidate.user_id, r.candidate.credits) for r in rows]


def _credit_sql(year: Year) -> tuple[str, object]:
    """The SQL and parameters of the credit `GROUP BY`, as `compute` sends them."""
    from django.db import connection

    from elearn_plugin.rankings import queries

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        next(queries.credit_totals(year.start, year.period.end_utc), None)
    sql, params, _t = recorder.queries[0]
    return sql, params


def _explain(sql: str, params) -> list:
    from django.db import connection

    prefix = "EXPLAIN " if connection.vendor == "mysql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _group_by_alone(sql: str, params, repeat: int) -> dict:
    from django.db import connection

    runs, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = len(cursor.fetchall())
        runs.append(time.perf_counter() - started)
    return {
        "seconds_median": _median(runs),
        "seconds_runs": [round(r, 4) for r in runs],
        "rows": count,
        "what": "the credit GROUP BY of credit_totals executed alone, every row fetched",
    }


def measure_compute(year: Year, repeat: int) -> dict:
    """`compute` of the year, `repeat` times; then one run with every query timed."""
    from django.db import connection

    from elearn_plugin.rankings.services import compute

    runs, result = [], None
    for n in range(repeat):
        started = time.perf_counter()
        result = compute(year.period, year.policy)
        runs.append(time.perf_counter() - started)
        _log(f"compute {n + 1}/{repeat}: {runs[-1]:.3f} s, checked {result.checked}")
    recorder = Recorder()
    started = time.perf_counter()
    with connection.execute_wrapper(recorder):
        compute(year.period, year.policy)
    total = time.perf_counter() - started
    tables = _credit_tables()
    credit = sum(t for sql, _p, t in recorder.queries if any(n in sql for n in tables))
    other = sum(t for sql, _p, t in recorder.queries if not any(n in sql for n in tables))
    return {
        "seconds_median": _median(runs),
        "seconds_runs": [round(r, 4) for r in runs],
        "ranked": len(result.rows),
        "checked": result.checked,
        "top": [[rank, uid, f"{credits:.2f}"] for rank, uid, credits in _ranked(result.rows)],
        "_ranked": _ranked(result.rows),
        "breakdown_run": {
            "seconds": round(total, 4),
            "queries": len(recorder.queries),
            "credit_read_execute_seconds": round(credit, 4),
            "eligibility_queries_seconds": round(other, 4),
            "rest_seconds": round(total - credit - other, 4),
            "note": "execute times only; on MariaDB the whole grouped result is sent to the "
            "client at execute (a buffered cursor), on SQLite rows are stepped lazily after "
            "the first, so the rest includes fetching them",
        },
    }


def profile_compute(year: Year, top: int = 12) -> dict:
    from elearn_plugin.rankings.services import compute

    profiler = cProfile.Profile()
    profiler.runcall(compute, year.period, year.policy)
    stats = pstats.Stats(profiler)
    entries = []
    for (filename, line, name), (_cc, calls, own, cum, _callers) in stats.stats.items():
        short = filename.replace(str(ROOT) + "/", "")
        if "site-packages/" in short:
            short = short.split("site-packages/", 1)[1]
        entries.append((own, cum, calls, f"{short}:{line}({name})"))
    return {
        "seconds": round(stats.total_tt, 4),
        "by_own_time": [
            {"fn": f, "own_s": round(t, 4), "cum_s": round(c, 4), "calls": n}
            for t, c, n, f in sorted(entries, reverse=True)[:top]
        ],
    }


def measure_freeze(year: Year, repeat: int) -> dict:
    from elearn_plugin.audit import acting_as
    from elearn_plugin.rankings.models import Ranking
    from elearn_plugin.rankings.services import freeze_ranking

    runs, ranking = [], None
    for _ in range(repeat):
        Ranking.objects.all().delete()
        started = time.perf_counter()
        with acting_as(PRINCIPAL):
            ranking = freeze_ranking(year.period, year.policy, year.digest)
        runs.append(time.perf_counter() - started)
    entries = ranking.entries.count()
    Ranking.objects.all().delete()
    return {
        "seconds_median": _median(runs),
        "seconds_runs": [round(r, 4) for r in runs],
        "entries": entries,
        "checked": ranking.checked,
        "what": "freeze_ranking of the year from no Ranking row (is_closed, compute, units_at, "
        "the Ranking and its entries, one audit event); Ranking rows deleted between runs",
    }


def _population() -> list[int]:
    from elearn_plugin.org.models import Person

    return sorted(Person.objects.values_list("user_id", flat=True))


def _sample(everyone: list[int], size: int) -> list[int]:
    return sorted(random.Random(0).sample(everyone, min(size, len(everyone))))


def naive_ranking(year: Year, sample: int) -> dict:
    """Per learner two queries (credits, standings); people and blocks read once."""
    from django.db.models import Max, Q, Sum

    from elearn_plugin.ledger.models import LedgerEntry, LedgerKind
    from elearn_plugin.month_close.models import Standing
    from elearn_plugin.org.models import Person
    from elearn_plugin.rankings.queries import BLOCKING_KINDS
    from elearn_plugin.rules.rankings import Candidate, qualifies, rank
    from elearn_plugin.standing.models import Sanction

    rule = year.policy.rankings
    end = year.period.end_utc
    started = time.perf_counter()
    everyone = _population()
    people = dict(Person.objects.values_list("user_id", "employee_id"))
    blocked = set(
        Sanction.objects.filter(kind__in=BLOCKING_KINDS, starts_at__lt=end)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gte=end))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=end))
        .values_list("user_id", flat=True)
    )
    bulk = time.perf_counter() - started
    learners = _sample(everyone, sample) if sample else everyone
    started = time.perf_counter()
    candidates = []
    for uid in learners:
        totals = LedgerEntry.objects.filter(
            user_id=uid, kind=LedgerKind.CREDIT, occurred_at__gte=year.start, occurred_at__lt=end
        ).aggregate(total=Sum("amount"), last=Max("occurred_at"))
        verdicts = list(
            Standing.objects.filter(user_id=uid, period__in=year.months).values_list(
                "quota_met", flat=True
            )
        )
        total = totals["total"]
        if not total or total <= 0 or uid not in people or uid in blocked:
            continue
        if rule.quota_met_only and not qualifies(verdicts, rule.exempt_months):
            continue
        candidates.append(Candidate(uid, people[uid], total, totals["last"]))
    rows = rank(candidates, rule.top_n, rule.ties)
    loop = time.perf_counter() - started
    return {
        "learners": len(learners),
        "population": len(everyone),
        "bulk_seconds": round(bulk, 4),
        "loop_seconds": round(loop, 4),
        "extrapolated_seconds": round(bulk + loop / len(learners) * len(everyone), 3),
        "rows": rows,
    }


def naive_hours(year: Year, sample: int) -> dict:
    """Per learner two queries (their stays, their month's activities); units read once."""
    from elearn_plugin.hours.queries import unit_nodes
    from elearn_plugin.learning.models import ActivityKind, LearningActivity
    from elearn_plugin.org.models import Membership
    from elearn_plugin.rules.hours_cap import as_fraction, cap_rows, cap_unit_of

    rule = year.policy.online_hours_cap
    month = year.month
    started = time.perf_counter()
    everyone = _population()
    nodes, heavy = unit_nodes()
    bulk = time.perf_counter() - started
    learners = _sample(everyone, sample) if sample else everyone
    started = time.perf_counter()
    totals: dict[int, list[int]] = {}
    for uid in learners:
        stays = sorted(
            Membership.objects.filter(user_id=uid).values_list("valid_from", "valid_to", "unit_id"),
            key=lambda stay: stay[0],
            reverse=True,
        )
        for at, kind, seconds, recorded in LearningActivity.objects.filter(
            user_id=uid, started_at__gte=month.start_utc, started_at__lt=month.end_utc
        ).values_list("started_at", "kind", "seconds", "unit_id"):
            unit = next(
                (u for f, t, u in stays if f <= at and (t is None or t > at)),
                recorded,
            )
            if unit is None:
                continue
            entry = totals.setdefault(unit, [0, 0])
            entry[1 if kind == ActivityKind.CLASSROOM else 0] += seconds
    rows = cap_rows(
        {u: (on, off) for u, (on, off) in totals.items()},
        cap_unit_of(nodes, rule.unit_level),
        heavy,
        as_fraction(rule.default_share),
        as_fraction(rule.travel_heavy_share),
    )
    loop = time.perf_counter() - started
    return {
        "learners": len(learners),
        "population": len(everyone),
        "bulk_seconds": round(bulk, 4),
        "loop_seconds": round(loop, 4),
        "extrapolated_seconds": round(bulk + loop / len(learners) * len(everyone), 3),
        "rows": rows,
    }


def measure_hours(year: Year, repeat: int) -> dict:
    from elearn_plugin.hours.queries import month_cap_rows

    runs, rows = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = month_cap_rows(year.month, year.policy)
        runs.append(time.perf_counter() - started)
    return {
        "seconds_median": _median(runs),
        "seconds_runs": [round(r, 4) for r in runs],
        "cap_rows": len(rows),
        "rows_over_cap": sum(1 for r in rows if r.excess_seconds > 0),
        "online_hours": round(sum(r.online_seconds for r in rows) / 3600, 1),
        "offline_hours": round(sum(r.offline_seconds for r in rows) / 3600, 1),
        "_rows": rows,
    }


def _measure(args) -> dict:
    year = Year()
    result: dict = {"server": _server_info()}
    ranking = measure_compute(year, args.repeat)
    ranked = ranking.pop("_ranked")
    ranking["profile"] = profile_compute(year)
    ranking["what"] = "compute of the year reading the running credit totals (ADR 0014)"
    result["year_ranking"] = ranking
    _log(f"year ranking: {ranking['seconds_median']} s")
    with LedgerPath():
        sql, params = _credit_sql(year)
        grouped = measure_compute(year, args.repeat)
        grouped["same_ranking_as_totals"] = grouped.pop("_ranked") == ranked
        grouped["credit_group_by_alone"] = _group_by_alone(sql, params, args.repeat)
        grouped["explain_credit_group_by"] = _explain(sql, params)
        grouped["credit_group_by_sql"] = sql
        grouped["what"] = "compute of the year grouping the ledger (totals not built)"
    result["year_ranking_grouping_the_ledger"] = grouped
    _log(f"year ranking grouping the ledger: {grouped['seconds_median']} s")
    result["freeze_ranking"] = measure_freeze(year, args.repeat)
    _log(f"freeze_ranking: {result['freeze_ranking']['seconds_median']} s")
    naive = naive_ranking(year, args.naive_sample)
    naive.pop("rows")
    naive["naive_extrapolated_from"] = naive["learners"]
    naive["what"] = (
        "per learner: one aggregate query of their credits in the year, one query of their "
        "standings of the year's months, eligibility in Python; then rules.rankings.rank; "
        "the population, people and blocks read once for everyone (bulk_seconds, not "
        "extrapolated); the loop timed on a random sample (seed 0) and extrapolated linearly"
    )
    result["year_ranking_naive"] = naive
    result["year_ranking_speedup_over_naive"] = round(
        naive["extrapolated_seconds"] / ranking["seconds_median"], 1
    )
    _log(f"naive ranking: {naive['extrapolated_seconds']} s (extrapolated)")
    hours = measure_hours(year, args.repeat)
    fast_rows = hours.pop("_rows")
    result["hours_cap"] = hours
    _log(f"hours cap: {hours['seconds_median']} s")
    naive_h = naive_hours(year, args.naive_sample)
    naive_h.pop("rows")
    naive_h["naive_extrapolated_from"] = naive_h["learners"]
    naive_h["what"] = (
        "per learner: one query of their memberships, one of their activities started in "
        "the month, each attributed to the stay it started in (else the recorded unit) and "
        "summed in Python; then rules.hours_cap.cap_rows; the population and the unit tree "
        "read once; the loop timed on a random sample (seed 0) and extrapolated linearly"
    )
    result["hours_cap_naive"] = naive_h
    result["hours_cap_speedup_over_naive"] = round(
        naive_h["extrapolated_seconds"] / hours["seconds_median"], 1
    )
    _log(f"naive hours: {naive_h['extrapolated_seconds']} s (extrapolated)")
    if args.check:
        full = naive_ranking(year, 0)
        full_h = naive_hours(year, 0)
        result["check"] = {
            "ranking_naive_full_seconds": round(full["bulk_seconds"] + full["loop_seconds"], 3),
            "ranking_same_top_as_compute": _ranked(full["rows"]) == ranked,
            "hours_naive_full_seconds": round(full_h["bulk_seconds"] + full_h["loop_seconds"], 3),
            "hours_same_cap_rows_as_month_cap_rows": full_h["rows"] == fast_rows,
        }
        _log(f"check: {result['check']}")
    return result


# --- the run ------------------------------------------------------------------------------


def _child(role: str, backend: str, env: dict, args, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--role", role, "--backend", backend]
    cmd += ["--learners", str(args.learners), "--ledger-rows", str(args.ledger_rows)]
    cmd += ["--units", str(args.units), "--activities", str(args.activities)]
    cmd += ["--repeat", str(args.repeat), "--naive-sample", str(args.naive_sample)]
    cmd += ["--check"] if args.check else []
    return run_child(role, cmd, env, timeout)


def _goals(result: dict, args) -> dict:
    at_size = args.learners >= GOALS["learners"] and args.ledger_rows >= GOALS["ledger_rows"]
    seconds = result["year_ranking"]["seconds_median"]
    out = {
        "at_goal_size": at_size,
        "year_ranking_seconds": seconds,
        "year_ranking_speedup_over_naive": result["year_ranking_speedup_over_naive"],
        "hours_cap_speedup_over_naive": result["hours_cap_speedup_over_naive"],
        "met": {
            "year_ranking_under_1s": seconds < GOALS["year_ranking_seconds_max"],
            "year_ranking_at_least_10x_naive": result["year_ranking_speedup_over_naive"]
            >= GOALS["speedup_over_naive_min"],
            "hours_cap_at_least_10x_naive": result["hours_cap_speedup_over_naive"]
            >= GOALS["speedup_over_naive_min"],
        },
    }
    if not at_size:
        out["note"] = "measured below the goal's size (200,000 learners, 2,000,000 ledger rows)"
    grouped = result["year_ranking_grouping_the_ledger"]["seconds_median"]
    out["year_ranking_grouping_the_ledger_seconds"] = grouped
    out["totals_speedup_over_grouping"] = round(grouped / seconds, 1)
    return out


def _run_backend(backend: str, args) -> dict:
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
            data = _child("load", backend, env, args, timeout=3 * 3600)
            if "error" in data:
                return {"load": data}
            figures = _child("measure", backend, env, args, timeout=6 * 3600)
            if "error" in figures:
                return {"data": data, "measure": figures}
            return {"data": data, **figures, "goals_check": _goals(figures, args)}
        except Exception as exc:  # noqa: BLE001 - one backend's failure is reported
            return {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            if backend == "mariadb":
                try:
                    mysql_admin(MARIADB, f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
                except Exception as exc:  # noqa: BLE001
                    _log(f"could not drop {BENCH_DB}: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200_000)
    parser.add_argument("--ledger-rows", type=int, default=2_000_000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument(
        "--activities", type=int, default=10, help="learning activities per learner in the month"
    )
    parser.add_argument("--backends", default="sqlite,mariadb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=2000)
    parser.add_argument(
        "--check", action="store_true", help="run both naive paths in full and compare"
    )
    parser.add_argument("--role", choices=("load", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=("sqlite", "mariadb"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.learners, args.ledger_rows, args.repeat, args.naive_sample) < 1:
        parser.error("--learners, --ledger-rows, --repeat, --naive-sample: at least 1")
    if args.units < 2 or args.activities < 0:
        parser.error("--units: at least 2; --activities: not negative")
    if args.role:
        _setup()
        result = _load(args) if args.role == "load" else _measure(args)
        print(json.dumps(result, default=str))
        return
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"sqlite", "mariadb"}:
        parser.error("--backends: sqlite and/or mariadb")
    report: dict = {
        "benchmark": "rankings",
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "year": YEAR,
        "hours_month": HOURS_MONTH,
        "sizes": {
            "learners": args.learners,
            "ledger_rows": args.ledger_rows,
            "units": args.units,
            "activities_per_learner_in_month": args.activities,
        },
        "goals": GOALS,
        "backends": {},
    }
    for backend in backends:
        _log(f"{backend}: {args.learners} learners, {args.ledger_rows} ledger rows")
        report["backends"][backend] = _run_backend(backend, args)
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
