"""Bulk upserts on MariaDB, the platform's database: MySQL refuses a named conflict target,
so a writer that passed `unique_fields` worked on SQLite and failed in Open edX (P-33)."""

from decimal import Decimal

from elearn_plugin.courses.models import CourseKind, CourseOrigin, CoursePolicy
from elearn_plugin.courses.services import CoursePolicySpec, save_course_policies_bulk

KEY = "course-v1:Org+Safety+2026"


def _spec(title: str, credits: str) -> CoursePolicySpec:
    return CoursePolicySpec(
        course_key=KEY,
        title=title,
        credits=Decimal(credits),
        kind=CourseKind.REQUIRED,
        origin=CourseOrigin.INTERNAL,
    )


# P-33: a second import updates the row in place; a third, identical, writes nothing
def test_course_policies_upsert_on_mariadb(db):
    assert save_course_policies_bulk([_spec("Safety", "2.0")]) == 1
    assert save_course_policies_bulk([_spec("Safety at work", "3.0")]) == 0
    row = CoursePolicy.objects.get(course_key=KEY)
    assert (row.title, row.credits) == ("Safety at work", Decimal("3.0"))
    stamp = row.updated_at
    assert save_course_policies_bulk([_spec("Safety at work", "3.0")]) == 0
    assert CoursePolicy.objects.get(course_key=KEY).updated_at == stamp
    assert CoursePolicy.objects.count() == 1


# P-33: on MariaDB `INSERT IGNORE` reports the rows it inserted, not the rows it was given
def test_insert_ignoring_conflicts_counts_on_mariadb(db, make_user):
    from datetime import UTC, datetime

    from elearn_plugin.core.upsert import insert_ignoring_conflicts
    from elearn_plugin.ledger.models import LedgerEntry

    users = [make_user(), make_user()]
    when = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)

    def rows():
        return [
            LedgerEntry(
                user_id=u.pk,
                kind="credit",
                amount=Decimal("1"),
                source_key="k",
                occurred_at=when,
            )
            for u in users
        ]

    assert insert_ignoring_conflicts(LedgerEntry, rows()[:1]) == 1
    assert insert_ignoring_conflicts(LedgerEntry, rows()) == 1
    assert insert_ignoring_conflicts(LedgerEntry, rows()) == 0
    assert LedgerEntry.objects.count() == 2
