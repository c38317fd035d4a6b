"""Rows naming users, rows or courses the restored database lacks are found, by one query per
column, and the list of columns comes from the models themselves (P-33)."""

from datetime import UTC, datetime
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from elearn_plugin.courses.services import (
    AssignmentSpec,
    CompletionSpec,
    CoursePolicySpec,
    assign_bulk,
    record_completions_bulk,
    save_course_policy,
)
from elearn_plugin.host.catalogue import FakeCatalogueAdapter
from elearn_plugin.integrity.references import (
    USER_COLUMNS_NOT_REFERENCES,
    check_references,
    reference_checks,
)
from elearn_plugin.integrity.report import Report
from elearn_plugin.outbox.services import enqueue
from tests.unit.integrity.helpers import delete_rows, undone

COURSE = "course-v1:Org+INT1+2026"
WHEN = datetime(2026, 2, 10, 8, tzinfo=UTC)
CONTEXT = {"period": "2026-01", "completed": 1, "required": 2}


def _problems() -> dict[str, object]:
    report = Report()
    check_references(report)
    return {f"{p.check} {p.table}": p for p in report.problems}


def _seed(make_user, n=3):
    users = [make_user() for _ in range(n)]
    save_course_policy(CoursePolicySpec(COURSE, "t", Decimal("2"), "required", "internal"))
    assign_bulk([AssignmentSpec(u.pk, COURSE, WHEN) for u in users])
    record_completions_bulk([CompletionSpec(u.pk, COURSE, WHEN) for u in users])
    with transaction.atomic():
        for u in users:
            enqueue(f"t:{u.pk}", "quota_warning", u.pk, CONTEXT)
    return users


def test_the_columns_come_from_every_model_of_the_app():
    # P-33: a model added later is covered without a change to the check
    checks = {(c.kind, c.model.__name__, c.field.name) for c in reference_checks()}
    for model in apps.get_app_config("elearn_plugin").get_models():
        for field in model._meta.local_concrete_fields:
            if field.is_relation:
                assert ("fk", model.__name__, field.name) in checks
    assert ("fk", "Standing", "user") in checks
    assert ("fk", "OutboxMessage", "user") in checks
    assert ("user_id", "ReinstatementApplication", "pending_user") in checks
    assert ("course_key", "LedgerEntry", "course_key") in checks
    assert ("course_key", "TrackedVideo", "course_key") in checks
    assert not any(kind == "course_key" and name == "CoursePolicy" for kind, name, _ in checks)
    assert ("user_id", "AuditEvent", "actor_user_id") not in checks


def test_every_exemption_names_a_real_column():
    for label in USER_COLUMNS_NOT_REFERENCES:
        name, field = label.split(".")
        assert apps.get_model("elearn_plugin", name)._meta.get_field(field)


def test_consistent_rows_pass_with_one_query_per_column(make_user):
    _seed(make_user)
    with CaptureQueriesContext(connection) as queries:
        assert _problems() == {}
    # P-33: set-based, whatever the number of rows: one anti-join per column when clean
    assert len(queries) == len(reference_checks())


def test_a_deleted_account_is_named_in_every_table_that_still_refers_to_it(make_user):
    users = _seed(make_user, n=8)
    with undone():
        # What a partial restore leaves: the accounts gone, the plugin's rows still there.
        delete_rows("auth_user", [users[1].pk, users[4].pk])
        found = _problems()
    for table in (
        "elearn_plugin_assignment.user_id",
        "elearn_plugin_coursecompletion.user_id",
        "elearn_plugin_ledgerentry.user_id",
        "elearn_plugin_outboxmessage.user_id",
    ):
        problem = found[f"missing_user {table}"]
        assert problem.count == 2
        assert len(problem.example_ids) == 2
    outbox = found["missing_user elearn_plugin_outboxmessage.user_id"]
    assert "@" not in outbox.line()


def test_a_user_id_column_that_is_no_foreign_key_is_checked_too(make_user):
    from elearn_plugin.reinstatement.models import ReinstatementApplication

    user = make_user()
    row = ReinstatementApplication.objects.create(
        user=user, pending_user=user.pk, blocked_kind="revocation", statement="s"
    )
    assert _problems() == {}
    ReinstatementApplication.objects.filter(pk=row.pk).update(pending_user=user.pk + 1000)
    problem = _problems()["missing_user elearn_plugin_reinstatementapplication.pending_user"]
    assert (problem.count, problem.example_ids) == (1, (row.pk,))


def test_a_course_key_needs_a_policy_or_a_course_the_host_knows(make_user):
    user = make_user()
    other = "course-v1:Org+NEW1+2026"
    assign_bulk([AssignmentSpec(user.pk, other, WHEN)])
    problem = _problems()["unknown_course elearn_plugin_assignment.course_key"]
    assert problem.count == 1
    # A course in the host without a policy yet (under review, being built) is known.
    FakeCatalogueAdapter.register(other)
    assert _problems() == {}


def test_a_dangling_reference_between_plugin_rows_is_named(units):
    from elearn_plugin.org.models import Unit

    with undone():
        delete_rows(Unit._meta.db_table, [units["hq"].pk])
        problem = _problems()["missing_unit elearn_plugin_unit.parent_id"]
    assert (problem.count, problem.example_ids) == (1, (units["sales"].pk,))
