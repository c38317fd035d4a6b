"""The review service: submissions bound to a fingerprint, HR's decisions with the
checklist, the submitter told, and illegal content revoking its uploader (P-5, P-10, P-11)."""

import pytest
from django.contrib.auth.models import Group

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.permissions.roles import AUDIT_CENTRE_GROUP
from elearn_plugin.review import services
from elearn_plugin.review.models import IllegalContentReferral, ReviewItem
from elearn_plugin.rules.review import CHECKLIST
from elearn_plugin.standing.blocks import active_block

COURSE = "course-v1:Org+Safety+2026"
UNIT = "block-v1:Org+Safety+2026+type@elearn_approval+block@u1"
TICKS = dict.fromkeys(CHECKLIST, True)


@pytest.fixture
def people(make_user):
    return make_user("author"), make_user("reviewer", is_staff=True)


def _submit(author, fingerprint="c1:aaa"):
    return services.submit(
        kind="unit", course_key=COURSE, target_key=UNIT, fingerprint=fingerprint,
        title="Fire safety", actor=author,
    )  # fmt: skip


def test_approval_is_bound_to_the_fingerprint(people):  # P-11
    author, reviewer = people
    item = _submit(author)
    assert not services.is_approved(UNIT, "c1:aaa")
    services.decide(item.pk, "start", actor=reviewer)
    services.decide(item.pk, "approve", actor=reviewer, checklist=TICKS)
    assert services.is_approved(UNIT, "c1:aaa")
    assert not services.is_approved(UNIT, "c1:bbb")  # an edit after approval
    again = _submit(author, "c1:bbb")
    assert again.pk != item.pk and again.state == "submitted"
    verbs = list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs == [
        "review.submitted", "review.started", "review.approved", "review.submitted",
    ]  # fmt: skip
    approved = AuditEvent.objects.get(verb="review.approved")
    assert approved.actor_user_id == reviewer.pk
    assert approved.data["fingerprint_key"] == "c1:aaa"


def test_submitting_twice_changes_nothing(people):
    author, _reviewer = people
    first = _submit(author)
    assert _submit(author).pk == first.pk
    assert AuditEvent.objects.filter(verb="review.submitted").count() == 1
    with pytest.raises(services.ReviewError, match="under way"):
        _submit(author, "c1:edited")


def test_the_reviewer_cannot_approve_their_own_submission(people):  # P-11
    author, _reviewer = people
    item = _submit(author)
    with pytest.raises(services.ReviewError) as refused:
        services.decide(item.pk, "approve", actor=author, checklist=TICKS)
    assert refused.value.code == "own_submission"
    assert ReviewItem.objects.get().state == "submitted"


def test_an_incomplete_checklist_approves_nothing(people):  # P-11, P-13
    author, reviewer = people
    item = _submit(author)
    with pytest.raises(services.ReviewError) as refused:
        services.decide(item.pk, "approve", actor=reviewer, checklist={**TICKS, "syllabus": 0})
    assert refused.value.code == "checklist_incomplete"
    assert not AuditEvent.objects.filter(verb="review.approved").exists()


def test_rejection_and_changes_tell_the_submitter(people):  # P-10
    author, reviewer = people
    item = _submit(author)
    services.decide(item.pk, "request_changes", actor=reviewer, reason="Add the syllabus.")
    changed = _submit(author, "c1:ccc")
    assert changed.pk == item.pk and changed.fingerprint == "c1:ccc"
    services.decide(item.pk, "reject", actor=reviewer, reason="Out of date.")
    messages = OutboxMessage.objects.filter(user=author, message_type="review_decided")
    assert sorted(m.context["state"] for m in messages) == ["reject", "request_changes"]
    assert not services.is_approved(UNIT, "c1:ccc")
    with pytest.raises(services.ReviewError) as refused:
        services.decide(item.pk, "approve", actor=reviewer, checklist=TICKS)
    assert refused.value.code == "illegal_transition"


def test_withdrawal_is_the_submitters(people):
    author, reviewer = people
    item = _submit(author)
    with pytest.raises(services.ReviewError):
        services.decide(item.pk, "withdraw", actor=reviewer)
    services.decide(item.pk, "withdraw", actor=author)
    assert ReviewItem.objects.get().state == "withdrawn"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "film"},
        {"target_key": ""},
        {"fingerprint": "x" * 81},
        {"course_key": None},
    ],
)
def test_bad_submissions_change_nothing(people, kwargs):
    author, _reviewer = people
    args = {"kind": "unit", "course_key": COURSE, "target_key": UNIT, "fingerprint": "c1:a"}
    with pytest.raises(services.ReviewError):
        services.submit(**{**args, **kwargs}, actor=author)
    assert not ReviewItem.objects.exists()


def test_unknown_items_and_steps_are_refused(people):
    author, reviewer = people
    with pytest.raises(services.ReviewError, match="No such"):
        services.decide(999, "approve", actor=reviewer)
    item = _submit(author)
    with pytest.raises(services.ReviewError) as refused:
        services.decide(item.pk, "publish", actor=reviewer)
    assert refused.value.code == "unknown_step"


def test_illegal_content_revokes_and_refers(people, make_user):  # P-5
    author, reviewer = people
    centre = make_user("centre")
    centre.groups.add(Group.objects.create(name=AUDIT_CENTRE_GROUP))
    item = _submit(author)
    referral = services.report_illegal(item.pk, actor=reviewer, description="Pirated video.")
    block = active_block(author.pk)
    assert (block.kind, block.reason_code) == ("revocation", "illegal_upload")
    assert referral.sanction.user_id == author.pk
    assert referral.evidence["target_key"] == UNIT  # the evidence is kept
    item.refresh_from_db()
    assert item.state == "rejected" and not services.is_approved(UNIT, "c1:aaa")
    (message,) = OutboxMessage.objects.filter(message_type="illegal_content_referral")
    assert message.user_id == centre.pk and message.context["description"] == "Pirated video."
    event = AuditEvent.objects.get(verb="review.illegal_reported")
    assert event.data["uploader_id"] == author.pk and event.actor_user_id == reviewer.pk
    with pytest.raises(services.ReviewError, match="referred already"):
        services.report_illegal(item.pk, actor=reviewer, description="Again.")
    assert IllegalContentReferral.objects.count() == 1


def test_illegal_needs_a_description_and_another_person(people):
    author, reviewer = people
    item = _submit(author)
    with pytest.raises(services.ReviewError):
        services.report_illegal(item.pk, actor=reviewer, description=" ")
    with pytest.raises(services.ReviewError):
        services.report_illegal(item.pk, actor=author, description="Mine.")
    assert active_block(author.pk) is None


def test_a_review_decision_edited_by_hand_is_named_by_the_verifier(people):  # P-11, P-33
    from django.db import connection

    from elearn_plugin.audit import chain
    from elearn_plugin.audit.models import AuditEvent

    author, reviewer = people
    item = _submit(author)
    services.decide(item.pk, "approve", actor=reviewer, checklist=TICKS)
    chain.seal()
    assert chain.verify(full=True).ok
    approved = AuditEvent.objects.get(verb="review.approved")
    # Someone rewrites who approved it, straight in the database.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_user_id = %s WHERE id = %s",
            [author.pk, approved.pk],
        )
    result = chain.verify(full=True)
    assert not result.ok and f"event id {approved.pk}" in result.problem
