"""Bulk writers report as created only the rows they inserted themselves (P-33).

Each test lets another writer insert one of the batch's keys after the bulk writer looked
for existing keys and before its INSERT: the other writer's row is not counted twice.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from elearn_plugin.core.upsert import insert_ignoring_conflicts
from elearn_plugin.courses import services as courses
from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.learning import services as learning
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.ledger import services as ledger
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.standing import services as standing
from elearn_plugin.standing.models import Sanction
from tests.helpers.concurrent_insert import other_writer_first

T0 = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)  # a Sunday evening in Asia/Shanghai
COURSE = "course-v1:Org+C1+2026"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _table(model) -> str:
    return model._meta.db_table


def test_ledger_counts_only_its_own_rows(make_user):  # P-33, P-20
    a, b = make_user(), make_user()
    specs = [
        ledger.LedgerEntrySpec(u.pk, ledger.CREDIT, Decimal("1.0"), "completion:x", T0)
        for u in (a, b)
    ]

    def other():
        LedgerEntry.objects.create(
            user=a,
            kind=ledger.CREDIT,
            amount=Decimal("1.0"),
            source_key="completion:x",
            occurred_at=T0,
        )

    with other_writer_first(_table(LedgerEntry), other):
        assert ledger.add_entries_bulk(specs) == 1
    assert LedgerEntry.objects.count() == 2


def test_learning_counts_only_its_own_rows(make_user):  # P-33, P-26
    a, b = make_user(), make_user()
    specs = [
        learning.ActivitySpec(
            user_id=u.pk,
            kind="video",
            source_key=f"watch:{u.pk}",
            started_at=T0,
            ended_at=T0 + timedelta(minutes=10),
            course_key=COURSE,
        )
        for u in (a, b)
    ]

    def other():
        LearningActivity.objects.create(
            user=a,
            kind="video",
            source_key=f"watch:{a.pk}",
            started_at=T0,
            ended_at=T0 + timedelta(minutes=10),
            seconds=600,
            course_key=COURSE,
            classification="off_hours",
        )

    with other_writer_first(_table(LearningActivity), other):
        assert learning.record_activities_bulk(specs) == 1
    assert LearningActivity.objects.count() == 2


def test_assignments_count_only_their_own_rows(make_user):  # P-33, P-14
    a, b = make_user(), make_user()
    due = T0 + timedelta(days=30)
    specs = [courses.AssignmentSpec(u.pk, COURSE, due) for u in (a, b)]

    def other():
        Assignment.objects.create(user=a, course_key=COURSE, due_at=due, source="hr")

    with other_writer_first(_table(Assignment), other):
        assert courses.assign_bulk(specs) == 1
    assert Assignment.objects.count() == 2


def test_completions_count_only_their_own_rows(make_user):  # P-33, P-17
    a, b = make_user(), make_user()
    specs = [courses.CompletionSpec(u.pk, COURSE, T0) for u in (a, b)]

    def other():
        CourseCompletion.objects.create(
            user=a, course_key=COURSE, completed_at=T0, source="verified"
        )

    with other_writer_first(_table(CourseCompletion), other):
        assert courses.record_completions_bulk(specs) == 1
    assert CourseCompletion.objects.count() == 2


def test_sanctions_count_only_their_own_rows(make_user):  # P-33, P-4
    a, b = make_user(), make_user()
    specs = [
        standing.SanctionSpec(
            user_id=u.pk, kind="warning", reason_code="quota", source="quota:2026-01"
        )
        for u in (a, b)
    ]

    def other():
        Sanction.objects.create(
            user=a,
            kind="warning",
            reason_code="quota",
            source="quota:2026-01",
            starts_at=T0,
        )

    with other_writer_first(_table(Sanction), other):
        assert standing.impose_bulk(specs) == 1
    assert Sanction.objects.count() == 2


def test_the_helper_counts_inserted_rows_and_skips_taken_keys(make_user):  # P-33
    a, b = make_user(), make_user()

    def rows():
        return [
            LedgerEntry(
                user_id=u.pk,
                kind=ledger.CREDIT,
                amount=Decimal("1"),
                source_key="k",
                occurred_at=T0,
            )
            for u in (a, b)
        ]

    assert insert_ignoring_conflicts(LedgerEntry, []) == 0
    assert insert_ignoring_conflicts(LedgerEntry, rows()[:1]) == 1
    assert insert_ignoring_conflicts(LedgerEntry, rows()) == 1
    assert insert_ignoring_conflicts(LedgerEntry, rows()) == 0
    assert LedgerEntry.objects.count() == 2
