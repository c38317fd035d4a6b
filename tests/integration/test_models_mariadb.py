"""Round trips through the shared-core services on MariaDB: the natural keys hold there too."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

pytestmark = pytest.mark.django_db

CHINESE_NAME = ("张", "晓明")
CHINESE_REASON = "共享账号：借给同事使用（第二次）🔒"


def test_chinese_names_and_4_byte_characters_round_trip(make_user, django_user_model):
    # P-1, P-26: learners' Chinese names and free text survive storage unchanged (utf8mb4).
    user = make_user("learner-zh", last_name=CHINESE_NAME[0], first_name=CHINESE_NAME[1])
    again = django_user_model.objects.get(pk=user.pk)
    assert (again.last_name, again.first_name) == CHINESE_NAME
    assert django_user_model.objects.filter(first_name="晓明").count() == 1


def test_impose_twice_gives_one_sanction(make_user):
    # P-4, P-33: the same decision imposed twice (a re-run, a redelivered task) is one sanction.
    from elearn_plugin.standing import services as standing
    from elearn_plugin.standing.models import Sanction

    user = make_user()
    ends = datetime.now(UTC) + timedelta(days=7)
    first, created = standing.impose(
        user.id,
        "suspension",
        "account_sharing",
        "sharing:case-1",
        reason=CHINESE_REASON,
        ends_at=ends,
    )
    second, created_again = standing.impose(
        user.id, "suspension", "account_sharing", "sharing:case-1", reason="other", ends_at=ends
    )
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert Sanction.objects.filter(user=user).count() == 1
    assert Sanction.objects.get(pk=first.pk).reason == CHINESE_REASON


def test_sanction_key_is_a_database_constraint(make_user):
    # P-33: the key holds even for a writer that bypasses the service (MariaDB unique index).
    from elearn_plugin.standing.models import Sanction

    user = make_user()
    Sanction.objects.create(user=user, kind="warning", reason_code="quota", source="quota:2026-03")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(
            user=user, kind="warning", reason_code="quota", source="quota:2026-03"
        )


def test_impose_bulk_twice_creates_nothing_the_second_time(make_user):
    # P-21, P-22, P-33: a month close run twice writes its warnings once.
    from elearn_plugin.standing import services as standing
    from elearn_plugin.standing.models import Sanction

    users = [make_user() for _ in range(5)]
    specs = [
        standing.SanctionSpec(
            user_id=u.id, kind="warning", reason_code="quota_missed", source="quota:2026-03"
        )
        for u in users
    ]
    assert standing.impose_bulk(specs) == 5
    assert standing.impose_bulk(specs) == 0
    assert Sanction.objects.filter(source="quota:2026-03").count() == 5


def test_ledger_bulk_add_twice_keeps_the_count(make_user):
    # P-20, P-33: credits replayed after a crash are not credited twice.
    from elearn_plugin.ledger import services as ledger
    from elearn_plugin.ledger.models import LedgerEntry

    users = [make_user() for _ in range(3)]
    when = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    entries = [
        ledger.LedgerEntrySpec(
            user_id=u.id,
            kind=ledger.CREDIT,
            amount=Decimal("2.5"),
            source_key=f"completion:course-v1:Org+C{i}+2026",
            occurred_at=when,
            course_key=f"course-v1:Org+C{i}+2026",
        )
        for i, u in enumerate(users)
    ]
    assert ledger.add_entries_bulk(entries) == 3
    assert ledger.add_entries_bulk(entries) == 0
    assert LedgerEntry.objects.count() == 3
    totals = ledger.totals(ledger.CREDIT, when - timedelta(days=1), when + timedelta(days=1))
    assert totals == {u.id: Decimal("2.5") for u in users}


def test_completion_recorded_twice_credits_once(make_user):
    # P-17, P-20, P-33: one completion, one credit entry, however often it is reported.
    from elearn_plugin.courses import services as courses
    from elearn_plugin.courses.models import CourseCompletion
    from elearn_plugin.ledger.models import LedgerEntry

    user = make_user()
    key = "course-v1:Org+安全生产+2026"
    courses.save_course_policy(
        courses.CoursePolicySpec(
            course_key=key,
            title="安全生产培训",
            credits=Decimal("3"),
            kind="required",
            origin="internal",
        )
    )
    when = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    spec = courses.CompletionSpec(user_id=user.id, course_key=key, completed_at=when)
    assert courses.record_completions_bulk([spec]) == 1
    assert courses.record_completions_bulk([spec]) == 0
    assert CourseCompletion.objects.filter(user=user).count() == 1
    assert list(LedgerEntry.objects.filter(user=user).values_list("amount", flat=True)) == [
        Decimal("3")
    ]


def test_outbox_enqueue_twice_keeps_one_message(make_user):
    # P-21, P-33: a warning email enqueued twice is stored (and so sent) once.
    from elearn_plugin.outbox import services as outbox
    from elearn_plugin.outbox.models import OutboxMessage

    user = make_user()
    key = f"quota-warning:2026-03:{user.id}"
    context = {"period": "2026-03", "completed": 1, "required": 2}
    with transaction.atomic():
        first = outbox.enqueue(key, "quota_warning", user.id, context)
    with transaction.atomic():
        second = outbox.enqueue(key, "quota_warning", user.id, context)
    assert (first, second) == (True, False)
    assert OutboxMessage.objects.filter(user=user).count() == 1


def test_bad_input_changes_nothing(make_user):
    # P-33 (bad input): a batch with one unknown learner is refused whole.
    from elearn_plugin.standing import services as standing
    from elearn_plugin.standing.models import Sanction

    user = make_user()
    specs = [
        standing.SanctionSpec(user_id=user.id, kind="warning", reason_code="q", source="q:1"),
        standing.SanctionSpec(user_id=10**9, kind="warning", reason_code="q", source="q:1"),
    ]
    with pytest.raises(standing.SanctionError):
        standing.impose_bulk(specs)
    assert Sanction.objects.count() == 0
