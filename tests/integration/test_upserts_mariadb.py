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


# P-33: the apply step reads each chunk's standings back by id range; on a table the judging
# just filled, MariaDB planned that as a scan of the whole month until its statistics were
# refreshed (30 ms a chunk at 200k learners instead of 2)
def test_standings_are_read_by_range_once_statistics_are_refreshed(transactional_db):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from elearn_plugin.core.upsert import refresh_statistics
    from elearn_plugin.month_close.chunks import before_applying, standings_of
    from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose, Standing

    user_model = get_user_model()
    user_model.objects.bulk_create(user_model(username=f"s{n}") for n in range(3000))
    ids = sorted(user_model.objects.values_list("pk", flat=True))
    now = timezone.now()
    close = MonthClose.objects.create(
        period="2026-03", status=CloseStatus.APPLYING, policy_hash="h", decided_at=now
    )
    Standing.objects.bulk_create(
        Standing(
            close=close,
            period="2026-03",
            user_id=uid,
            required_completed=0,
            missed_tasks=0,
            months_with_misses=0,
            judged_at=now,
        )
        for uid in ids
    )
    chunk = CloseChunk.objects.create(
        close=close, index=0, first_user_id=ids[1000], last_user_id=ids[1099]
    )
    before_applying()
    sql, params = standings_of(chunk, "2026-03").values_list("user_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        columns = [c[0] for c in cursor.description]
        plan = dict(zip(columns, cursor.fetchone(), strict=True))
    assert plan["key"] == "elearn_standing_user_period", plan
    assert plan["type"] == "range", plan
    assert len(standings_of(chunk, "2026-03")) == 100
    # Inside a transaction (where ANALYZE TABLE would commit it) nothing is run.
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        refresh_statistics(Standing)
    assert not [q for q in queries if "ANALYZE" in q["sql"]]


# P-33: the standings' multi-row INSERT writes numbers as numerals and the rest as parameters
def test_prepared_rows_are_stored_as_given_on_mariadb(db, make_user):
    from tests.unit.core.test_prepared_rows import insert_and_read_back

    insert_and_read_back(make_user)
