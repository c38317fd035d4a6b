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
def test_course_policies_upsert_on_mariadb(migrated_models):
    assert save_course_policies_bulk([_spec("Safety", "2.0")]) == 1
    assert save_course_policies_bulk([_spec("Safety at work", "3.0")]) == 0
    row = CoursePolicy.objects.get(course_key=KEY)
    assert (row.title, row.credits) == ("Safety at work", Decimal("3.0"))
    stamp = row.updated_at
    assert save_course_policies_bulk([_spec("Safety at work", "3.0")]) == 0
    assert CoursePolicy.objects.get(course_key=KEY).updated_at == stamp
    assert CoursePolicy.objects.count() == 1
