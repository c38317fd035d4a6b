"""What a unit's month costs to read and export (P-28): the staff pages' chunked rows against
the baseline of the learner's own summary (`learner.summary.month_summary`) called once per
learner, in the same run. SQLite, the dev site's settings. Prints JSON.

The rows of N learners are read by `staff.unit_rows.iter_rows` (a fixed number of aggregate
queries per 1,000) and written as CSV through the export's streaming writer; peak memory is
measured with tracemalloc for the export, which must not grow with N.

    python benchmarks/unit_export.py [--learners 5000] [--baseline-sample 300]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import devsite_in  # noqa: E402 (the script's own folder)


def _data(learners: int, now) -> int:
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from elearn_plugin.courses import services as courses
    from elearn_plugin.courses.models import Assignment, CourseCompletion
    from elearn_plugin.org import services as org
    from elearn_plugin.org.models import Membership, Person

    unit, _ = org.create_unit("bench", "Bench")
    keys = [f"course-v1:Bench+R{n}+2026" for n in range(3)]
    for key in keys:
        courses.save_course_policy(
            courses.CoursePolicySpec(key, key, Decimal("1"), "required", "internal")
        )
    User = get_user_model()
    User.objects.bulk_create([User(username=f"b{n:06d}") for n in range(learners)])
    ids = list(User.objects.filter(username__startswith="b").values_list("pk", flat=True))
    Person.objects.bulk_create(
        [Person(user_id=uid, employee_id=f"B{uid:07d}", name=f"N {uid}", unit=unit) for uid in ids]
    )
    Membership.objects.bulk_create(
        [Membership(user_id=uid, unit=unit, valid_from=now - timedelta(days=90)) for uid in ids]
    )
    Assignment.objects.bulk_create(
        [Assignment(user_id=uid, course_key=keys[uid % 3], due_at=now, source="hr") for uid in ids]
    )
    CourseCompletion.objects.bulk_create(
        [
            CourseCompletion(
                user_id=uid,
                course_key=keys[0],
                completed_at=now - timedelta(days=1),
                source="verified",
            )  # fmt: skip
            for uid in ids[::2]
        ]
    )
    return unit.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--baseline-sample", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        devsite_in(var)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from elearn_plugin.learner.summary import month_summary
        from elearn_plugin.policy.runtime import get_policy
        from elearn_plugin.rules.periods import month_of
        from elearn_plugin.staff.exports import csv_lines
        from elearn_plugin.staff.unit_rows import COLUMNS, Scope, iter_rows

        now = timezone.now()
        from elearn_plugin.audit.actors import acting_as

        with acting_as("command:benchmark"):
            unit_id = _data(args.learners, now)
        policy = get_policy()
        month = month_of(now, policy.tz)
        scope = Scope(frozenset([unit_id]))

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            rows = sum(1 for _ in iter_rows(scope, policy, month, now))
        rows_seconds = time.perf_counter() - started

        tracemalloc.start()
        started = time.perf_counter()
        size = 0
        for line in csv_lines(COLUMNS, COLUMNS, iter_rows(scope, policy, month, now)):
            size += len(line)
        export_seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        from elearn_plugin.org.models import Person

        sample = list(Person.objects.values_list("user_id", flat=True)[: args.baseline_sample])
        started = time.perf_counter()
        for uid in sample:
            month_summary(uid, policy, now)
        per_learner = (time.perf_counter() - started) / len(sample)

        print(
            json.dumps(
                {
                    "benchmark": "unit_export",
                    "database": connection.vendor,
                    "learners": rows,
                    "rows": {
                        "seconds": round(rows_seconds, 3),
                        "per_1000_learners_ms": round(rows_seconds / rows * 1000 * 1000, 1),
                        "queries": len(queries),
                    },
                    "csv_export": {
                        "seconds": round(export_seconds, 3),
                        "bytes": size,
                        "peak_python_memory_mb": round(peak / 1e6, 2),
                    },
                    "baseline_summary_per_learner": {
                        "sample": len(sample),
                        "per_1000_learners_ms": round(per_learner * 1000 * 1000, 1),
                        "extrapolated_seconds": round(per_learner * rows, 2),
                    },
                    "speedup": round(per_learner * rows / rows_seconds, 1),
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
