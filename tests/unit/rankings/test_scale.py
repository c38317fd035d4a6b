"""The rankings and the hours cap read set-based: the same number of queries for 3 learners
as for 30, never one per learner (P-24, P-25)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin.hours.queries import month_cap_rows
from elearn_plugin.learning.activities import ActivitySpec, record_activities_bulk
from elearn_plugin.policy.loader import parse_policy
from elearn_plugin.rankings.services import compute
from elearn_plugin.rules.periods import period_from_label
from tests.unit.policy.helpers import variant
from tests.unit.rankings.conftest import TZ, bonus, local

OPEN = parse_policy(variant(("quota_met_only: true", "quota_met_only: false")))
GATED = parse_policy(variant())


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _learners(people, count: int) -> None:
    ids = people(count, local(2025, 12, 1))
    for n, user_id in enumerate(ids):
        bonus(user_id, str(n + 1), local(2026, 5, 3), key=f"s{n}")
    record_activities_bulk(
        [
            ActivitySpec(
                user_id=user_id,
                kind="video",
                source_key=f"scale:{user_id}",
                started_at=local(2026, 5, 4, 19),
                ended_at=local(2026, 5, 4, 19) + timedelta(hours=1),
            )
            for user_id in ids
        ]
    )


def _counts() -> tuple[int, int, int]:
    year, may = period_from_label("2026", TZ), period_from_label("2026-05", TZ)
    return (
        _queries(lambda: compute(year, OPEN)),
        _queries(lambda: compute(year, GATED)),
        _queries(lambda: month_cap_rows(may, OPEN)),
    )


def test_query_counts_do_not_grow_with_the_learners(courses, people):  # P-24, P-25
    _learners(people, 3)
    few = _counts()
    _learners(people, 27)
    assert _counts() == few
