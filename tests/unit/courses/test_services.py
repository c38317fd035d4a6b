"""Course policies, assignments and completions: validation, idempotency, credits."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from elearn_plugin.courses import services
from elearn_plugin.courses.keys import parse_course_key
from elearn_plugin.courses.models import Assignment, CourseCompletion, CoursePolicy
from elearn_plugin.courses.services import (
    AssignmentSpec,
    CompletionSpec,
    CourseDataError,
    CoursePolicySpec,
)
from elearn_plugin.ledger.models import LedgerEntry

SAFE = "course-v1:ElearnDemo+SAFE101+2026"
ETHICS = "course-v1:ElearnDemo+ETH201+2026"
WHEN = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)


def _policy(key=SAFE, credits="2.5", kind="required", origin="internal"):
    return CoursePolicySpec(key, "Safety", Decimal(credits), kind, origin)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        None,
        42,
        "course-v1:bad",
        "ElearnDemo/SAFE101/2026",  # old slash form
        "library-v1:ElearnDemo+LIB",
        "block-v1:ElearnDemo+SAFE101+2026+type@video+block@intro",
        "course-v1:ElearnDemo+" + "C" * 170 + "+2026",  # too long for its ledger key
    ],
)
def test_course_key_validation_refuses_anything_but_course_v1(value):
    with pytest.raises(ValidationError):
        parse_course_key(value)


def test_course_key_validation_accepts_and_trims():
    assert parse_course_key(f"  {SAFE} ") == SAFE


@pytest.mark.django_db
def test_course_policy_bulk_creates_then_updates_without_new_rows():
    assert services.save_course_policies_bulk([_policy(), _policy(ETHICS, kind="elective")]) == 2
    assert services.save_course_policies_bulk([_policy(credits="3")]) == 0
    assert CoursePolicy.objects.count() == 2
    assert CoursePolicy.objects.get(course_key=SAFE).credits == Decimal("3.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (_policy(key="nope"), "course key"),
        (_policy(credits="-1"), "Credits"),
        (_policy(kind="optional"), "kind"),
        (_policy(origin="bought"), "origin"),
        (CoursePolicySpec(SAFE, "  ", Decimal("1"), "required", "internal"), "title"),
    ],
)
def test_course_policy_bad_input_is_refused_and_nothing_written(spec, message):
    with pytest.raises(CourseDataError, match=message):
        services.save_course_policies_bulk([_policy(ETHICS), spec])
    assert not CoursePolicy.objects.exists()


@pytest.mark.django_db
def test_course_policy_duplicate_key_in_one_batch_is_refused():
    with pytest.raises(CourseDataError):
        services.save_course_policies_bulk([_policy(), _policy()])


@pytest.mark.django_db
def test_assign_bulk_is_idempotent(make_user):
    # P-14: HR assigns required courses with a deadline; a repeat assigns nothing twice.
    a, b = make_user(), make_user()
    specs = [AssignmentSpec(a.pk, SAFE, DUE, "job_role"), AssignmentSpec(b.pk, SAFE, DUE, "hr")]
    assert services.assign_bulk(specs) == 2
    assert services.assign_bulk(specs) == 0
    assert services.assign(a.pk, SAFE, DUE, "job_role") is False
    assert services.assign(a.pk, SAFE, DUE, "hr") is True
    assert Assignment.objects.filter(user=a).count() == 2
    assert Assignment.objects.get(user=b).due_at == DUE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        AssignmentSpec(999999, SAFE, DUE),
        AssignmentSpec(1, "course-v1:x", DUE),
        AssignmentSpec(1, SAFE, datetime(2026, 3, 31)),  # naive
        AssignmentSpec(1, SAFE, DUE, "whim"),
    ],
)
def test_assign_bulk_bad_input_changes_nothing(make_user, bad):
    user = make_user()
    if bad.user_id == 1:
        bad = AssignmentSpec(user.pk, bad.course_key, bad.due_at, bad.source)
    with pytest.raises(CourseDataError):
        services.assign_bulk([AssignmentSpec(user.pk, ETHICS, DUE), bad])
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_completion_credits_the_course_once(make_user):
    # P-20: a completed course earns its credits, through the ledger, exactly once.
    services.save_course_policies_bulk([_policy(credits="2.5")])
    user = make_user()
    assert services.record_completion(user.pk, SAFE, WHEN, "verified") is True
    assert services.record_completion(user.pk, SAFE, WHEN, "verified") is False
    later = datetime(2026, 4, 1, tzinfo=UTC)
    assert services.record_completions_bulk([CompletionSpec(user.pk, SAFE, later)]) == 0
    completion = CourseCompletion.objects.get(user=user)
    assert completion.completed_at == WHEN  # the first record stands
    entries = list(LedgerEntry.objects.filter(user=user))
    assert len(entries) == 1
    assert entries[0].kind == "credit"
    assert entries[0].amount == Decimal("2.50")
    assert entries[0].source_key == f"completion:{SAFE}"
    assert entries[0].course_key == SAFE
    assert entries[0].occurred_at == WHEN


@pytest.mark.django_db
def test_completion_bulk_counts_new_rows_and_credits_each_learner(make_user):
    # P-20, P-33: a bulk replay creates nothing and credits nothing twice.
    services.save_course_policies_bulk([_policy(credits="1"), _policy(ETHICS, credits="0")])
    users = [make_user() for _ in range(3)]
    specs = [CompletionSpec(u.pk, SAFE, WHEN, "import") for u in users]
    specs += [CompletionSpec(users[0].pk, ETHICS, WHEN, "import")]
    assert services.record_completions_bulk(specs) == 4
    assert services.record_completions_bulk(specs) == 0
    assert CourseCompletion.objects.count() == 4
    # the course with 0 credits earns no entry
    assert LedgerEntry.objects.count() == 3
    assert set(LedgerEntry.objects.values_list("course_key", flat=True)) == {SAFE}


@pytest.mark.django_db
def test_completion_without_course_policy_is_recorded_without_credits(make_user):
    user = make_user()
    assert services.record_completion(user.pk, SAFE, WHEN) is True
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        CompletionSpec(999999, SAFE, WHEN),
        CompletionSpec(0, "nope", WHEN),
        CompletionSpec(0, SAFE, datetime(2026, 3, 1)),
        # P-17: the host's BlockCompletion is not a source of completions
        CompletionSpec(0, SAFE, WHEN, "block_completion"),
    ],
)
def test_completion_bad_input_changes_nothing(make_user, bad):
    services.save_course_policies_bulk([_policy()])
    user = make_user()
    if bad.user_id == 0:
        bad = CompletionSpec(user.pk, bad.course_key, bad.completed_at, bad.source)
    with pytest.raises(CourseDataError):
        services.record_completions_bulk([CompletionSpec(user.pk, ETHICS, WHEN), bad])
    assert not CourseCompletion.objects.exists()
    assert not LedgerEntry.objects.exists()
