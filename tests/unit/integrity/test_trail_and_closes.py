"""After a restore: the audit chain against the head kept outside, month closes complete and
in order, the outbox in states its sender leaves (P-11, P-33)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.integrity.services import run_checks
from elearn_plugin.month_close import runner
from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose, Standing
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.services import enqueue
from elearn_plugin.policy.runtime import file_digest
from elearn_plugin.rules.periods import period_from_label
from tests.unit.integrity.helpers import delete_rows, undone
from tests.unit.month_close.conftest import POLICY, TZ, local

AFTER_MARCH = local(2026, 4, 1, 0, 5)


def _checks(**kwargs) -> dict:
    report = run_checks(**kwargs)
    return {p.check: p for p in report.problems}


def _events(n: int) -> None:
    with transaction.atomic():
        audit.record_bulk(
            None, "unit.moved", [(f"elearn_plugin.unit:{i}", {"parent_id": i}) for i in range(n)]
        )


@pytest.fixture
def closed_quarter(courses, people):
    """January to March closed inline for five learners, under the configured policy file."""
    people(5, local(2025, 12, 1))
    runner.close_through(
        period_from_label("2026-03", TZ), POLICY, file_digest(), runner="inline", now=AFTER_MARCH
    )
    assert MonthClose.objects.filter(status=CloseStatus.CLOSED).count() == 3


def test_an_intact_chain_and_its_kept_head_pass(db):
    _events(12)
    chain.seal()
    head = chain.head()
    assert _checks(expect_head=head, now=AFTER_MARCH) == {}


def test_an_edited_event_breaks_the_chain(db):
    # P-11, P-33: an audit row edited in the restored copy is named
    _events(12)
    chain.seal()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET data = %s WHERE seq = 5",  # noqa: S608
            ['{"parent_id": 99}'],
        )
    problem = _checks(expect_head=chain.head(), now=AFTER_MARCH)["audit_chain_broken"]
    assert "position 5" in problem.detail


def test_the_newest_events_missing_are_found_by_the_kept_head_and_the_chain_row(db):
    _events(12)
    chain.seal()
    head = chain.head()
    AuditEvent.objects.filter(seq__gt=9).delete()
    found = _checks(expect_head=head, now=AFTER_MARCH)
    assert "audit_chain_broken" not in found  # positions 1..9 still verify
    assert found["audit_head_missing"].detail.startswith("position 12")
    assert found["audit_chain_row"].count == 3


def test_without_a_key_the_trail_is_a_problem(db, settings):
    settings.ELEARN_AUDIT_KEY = ""
    settings.ELEARN_AUDIT_RETIRED_KEYS = []
    assert "audit_key_missing" in _checks(now=AFTER_MARCH)


def test_closed_months_in_order_pass(closed_quarter):
    chain.seal()
    assert _checks(now=AFTER_MARCH) == {}


def test_a_month_missing_between_closed_ones_is_named(closed_quarter):
    feb = MonthClose.objects.get(period="2026-02")
    MonthClose.objects.filter(pk=feb.pk).update(status=CloseStatus.APPLYING)
    problem = _checks(now=AFTER_MARCH)["close_order"]
    march = MonthClose.objects.get(period="2026-03")
    assert (problem.count, problem.example_ids) == (1, (march.pk,))
    assert "2026-02" in problem.detail


def test_a_closed_month_with_a_chunk_not_applied_is_named(closed_quarter):
    chunk = CloseChunk.objects.filter(close__period="2026-02").first()
    CloseChunk.objects.filter(pk=chunk.pk).update(applied_at=None)
    problem = _checks(now=AFTER_MARCH)["close_chunk_not_applied"]
    assert problem.example_ids == (chunk.pk,)


def test_a_missing_chunk_and_a_standing_of_an_unjudged_chunk_are_named(closed_quarter):
    jan = CloseChunk.objects.filter(close__period="2026-01").first()
    with undone():
        delete_rows(CloseChunk._meta.db_table, [jan.pk])
        assert _checks(now=AFTER_MARCH)["close_chunk_count"].count == 1
    CloseChunk.objects.filter(pk=jan.pk).update(judged_at=None)
    found = _checks(now=AFTER_MARCH)
    assert (
        found["standing_of_unjudged_chunk"].count
        == Standing.objects.filter(period="2026-01").count()
    )
    assert found["close_chunk_not_judged"].example_ids == (jan.pk,)


def test_a_close_of_a_month_not_ended_and_a_standing_in_another_month(closed_quarter):
    march = MonthClose.objects.get(period="2026-03")
    found = _checks(now=local(2026, 3, 20))
    assert found["close_of_unended_month"].example_ids == (march.pk,)
    standing = Standing.objects.filter(period="2026-03").first()
    Standing.objects.filter(pk=standing.pk).update(period="2025-12")
    assert _checks(now=AFTER_MARCH)["standing_period"].example_ids == (standing.pk,)


def test_a_close_judging_under_another_policy_file_is_named(closed_quarter):
    MonthClose.objects.filter(period="2026-03").update(
        status=CloseStatus.JUDGING, policy_hash="b" * 64
    )
    assert "close_policy_file" in _checks(now=AFTER_MARCH)


def test_outbox_rows_in_states_the_sender_never_leaves(make_user):
    user = make_user()
    context = {"period": "2026-01", "completed": 1, "required": 2}
    with transaction.atomic():
        for n in range(5):
            enqueue(f"k:{n}", "quota_warning", user.pk, context)
    rows = list(OutboxMessage.objects.order_by("pk"))
    now = timezone.now()
    OutboxMessage.objects.filter(pk=rows[0].pk).update(sent_at=now, attempts=1)  # fine
    OutboxMessage.objects.filter(pk=rows[1].pk).update(sent_at=now, attempts=1, claim="x")
    OutboxMessage.objects.filter(pk=rows[2].pk).update(sent_at=now, attempts=0)
    OutboxMessage.objects.filter(pk=rows[3].pk).update(message_type="gone_type")
    OutboxMessage.objects.filter(pk=rows[4].pk).update(sent_at=now + timedelta(days=2), attempts=1)
    found = _checks(now=now)
    assert found["outbox_sent_claimed"].example_ids == (rows[1].pk,)
    assert found["outbox_sent_unattempted"].example_ids == (rows[2].pk,)
    assert found["outbox_unknown_type"].example_ids == (rows[3].pk,)
    assert found["outbox_sent_in_future"].example_ids == (rows[4].pk,)
    assert "outbox_sent_before_created" not in found
