"""The only writer of reviews: submissions, HR's decisions, and illegal content (P-5, P-10,
P-11, P-13).

A review item is bound to the fingerprint of what was submitted. `is_approved(target,
fingerprint)` is what the approval gate asks before showing content to learners, so an edit
after approval (another fingerprint) hides the content until a new review approves it. Each
step is checked by `rules.review` (legal transitions, nobody reviews their own submission,
the checklist complete), written with its audit event in one transaction, and the submitter
is told of a decision through the outbox. Marking content illegal revokes the uploader
through `standing.impose` and refers the case, with the evidence kept, to the audit and
supervision centre (members of the `elearn_audit_centre` group).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.outbox.services import OutboxRow, enqueue, enqueue_bulk
from elearn_plugin.permissions.roles import AUDIT_CENTRE_GROUP
from elearn_plugin.review.models import (
    IllegalContentReferral,
    ReviewItem,
    ReviewKind,
    ReviewState,
)
from elearn_plugin.rules import review as rules
from elearn_plugin.standing import services as standing

MAX_REASON = 2000
MAX_FINGERPRINT = 80
VERBS = {
    "start": "review.started",
    "approve": "review.approved",
    "reject": "review.rejected",
    "request_changes": "review.changes_requested",
    "withdraw": "review.withdrawn",
}


class ReviewError(ValueError):
    """The step cannot be taken; the message says why and nothing changed."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


_REFUSALS = {
    "illegal_transition": lambda: _("This step is not possible in the item's present state."),
    "own_submission": lambda: _("Nobody may review their own submission."),
    "not_submitter": lambda: _("Only the submitter may take this step."),
    "reason_required": lambda: _("A reason is required."),
    "checklist_incomplete": lambda: _("Tick every item of the checklist to approve."),
    "unknown_step": lambda: _("Unknown review step."),
}


def _refuse(refusal: rules.Refusal) -> ReviewError:
    return ReviewError(str(_REFUSALS.get(refusal.code, lambda: refusal.message)()), refusal.code)


def _clean_text(value: object, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise ReviewError(_("Keep it under %(count)s characters.") % {"count": limit}, "too_long")
    return text


def is_approved(target_key: str, fingerprint: str) -> bool:
    """Whether exactly this content (target and fingerprint) was approved."""
    return ReviewItem.objects.filter(
        target_key=target_key, fingerprint=fingerprint, state=ReviewState.APPROVED
    ).exists()


def is_external(course_key: str) -> bool:
    """Whether the course is external (P-9: bought and maintained by HR, not reviewed)."""
    from elearn_plugin.courses.models import CourseOrigin, CoursePolicy  # noqa: PLC0415

    return CoursePolicy.objects.filter(course_key=course_key, origin=CourseOrigin.EXTERNAL).exists()


def current_item(target_key: str) -> ReviewItem | None:
    """The latest review item of the content, for the authors' view."""
    return ReviewItem.objects.filter(target_key=target_key).order_by("-created_at", "-pk").first()


def submit(
    *,
    kind: str,
    course_key: str,
    target_key: str,
    fingerprint: str,
    title: str = "",
    actor,
    now: datetime | None = None,
) -> ReviewItem:
    """Submit content for review (a new item for a new fingerprint; an item that asked for
    changes is submitted again with the content's present fingerprint)."""
    who, now = audit.resolve(actor), now or timezone.now()
    if kind not in ReviewKind.values:
        raise ReviewError(_("Unknown kind of content."), "bad_kind")
    if not all(isinstance(v, str) and v for v in (target_key, fingerprint)):
        raise ReviewError(_("The content to review is not named."), "bad_target")
    # A learner's contribution belongs to no course; everything else names its course.
    if not isinstance(course_key, str) or (not course_key and kind != ReviewKind.CONTRIBUTION):
        raise ReviewError(_("The content to review is not named."), "bad_target")
    if len(fingerprint) > MAX_FINGERPRINT or len(target_key) > 255 or len(course_key) > 255:
        raise ReviewError(_("The content to review is not named."), "bad_target")
    if who.user_id is None:
        raise ReviewError(_("A person submits content for review."), "no_submitter")
    with transaction.atomic():
        open_items = ReviewItem.objects.select_for_update().filter(
            target_key=target_key,
            state__in=[ReviewState.SUBMITTED, ReviewState.IN_REVIEW, ReviewState.DRAFT,
                       ReviewState.CHANGES_REQUESTED],
        )  # fmt: skip
        item = open_items.order_by("-created_at", "-pk").first()
        if item is not None and item.state in (ReviewState.SUBMITTED, ReviewState.IN_REVIEW):
            if item.fingerprint == fingerprint:
                return item  # submitted already: nothing changes
            raise ReviewError(
                _("A review of this content is under way; withdraw it to submit the edit."),
                "under_review",
            )
        if is_approved(target_key, fingerprint):
            raise ReviewError(_("This content is approved as it is."), "approved")
        if item is None:
            item = ReviewItem.objects.create(
                kind=kind,
                course_key=course_key,
                target_key=target_key,
                fingerprint=fingerprint,
                title=_clean_text(title, 255),
                submitted_by_id=who.user_id,
                created_at=now,
            )
        refusal = rules.check_step(
            "submit", item.state, actor_id=who.user_id, submitter_id=item.submitted_by_id
        )
        if refusal is not None:
            raise _refuse(refusal)
        item.state, item.fingerprint, item.submitted_at = ReviewState.SUBMITTED, fingerprint, now
        item.save(update_fields=["state", "fingerprint", "submitted_at"])
        audit.record(
            who,
            "review.submitted",
            item,
            {
                "kind_code": kind,
                "course_key": course_key,
                "target_key": target_key,
                "fingerprint_key": fingerprint,
            },
        )
    return item


def _item(item_id: int) -> ReviewItem:
    item = ReviewItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise ReviewError(_("No such review item."), "unknown_item")
    return item


def decide(
    item_id: int,
    step: str,
    *,
    actor,
    reason: str = "",
    checklist: Mapping[str, object] | None = None,
    now: datetime | None = None,
) -> ReviewItem:
    """Take a step on an item: start, approve, reject, request_changes or withdraw."""
    who, now = audit.resolve(actor), now or timezone.now()
    text = _clean_text(reason, MAX_REASON)
    ticks = {k: v is True for k, v in dict(checklist or {}).items() if k in rules.CHECKLIST}
    with transaction.atomic():
        item = _item(item_id)
        refusal = rules.check_step(
            step,
            item.state,
            actor_id=who.user_id or 0,
            submitter_id=item.submitted_by_id,
            checklist=ticks,
            reason=text,
        )
        if refusal is not None:
            raise _refuse(refusal)
        item.state = rules.next_state(step)
        fields = ["state"]
        if rules.STEPS[step][2] == rules.REVIEWER:
            item.reviewer_id = who.user_id
            fields.append("reviewer")
        if step in ("approve", "reject", "request_changes"):
            item.decided_at, item.reason = now, text
            fields += ["decided_at", "reason"]
        if step == "approve":
            item.checklist = ticks
            fields.append("checklist")
        item.save(update_fields=fields)
        data = {"target_key": item.target_key}
        if step == "approve":
            data["fingerprint_key"] = item.fingerprint
        audit.record(who, VERBS[step], item, data)
        if step == "approve" and item.kind == ReviewKind.CONTRIBUTION:
            from elearn_plugin.contributions.services import award_points  # noqa: PLC0415

            award_points(item, actor=who, now=now)  # P-12, once: the ledger's key
        elif step == "approve":
            # Its tracked videos are part of the course now (P-17): the course is rescanned.
            from elearn_plugin.tasks.courses import schedule_course_rescan  # noqa: PLC0415

            schedule_course_rescan(item.course_key)
        if step in ("approve", "reject", "request_changes"):
            enqueue(
                f"review:{item.pk}:{step}:{item.decided_at.isoformat()}",
                "review_decided",
                item.submitted_by_id,
                {"title": item.title or item.target_key, "state": step, "reason": text},
            )
    return item


def report_illegal(
    item_id: int, *, actor, description: str, now: datetime | None = None
) -> IllegalContentReferral:
    """P-5: the reviewer marks the item's content illegal. The uploader is revoked at once,
    the item is rejected (so the gate keeps it hidden; nothing is deleted) and the audit and
    supervision centre is told, with the evidence kept on the referral."""
    who, now = audit.resolve(actor), now or timezone.now()
    text = _clean_text(description, MAX_REASON)
    if not text:
        raise ReviewError(_("Describe what is illegal."), "reason_required")
    with transaction.atomic():
        item = _item(item_id)
        if who.user_id == item.submitted_by_id:
            raise ReviewError(str(_REFUSALS["own_submission"]()), "own_submission")
        if IllegalContentReferral.objects.filter(item=item).exists():
            raise ReviewError(_("This content has been referred already."), "referred")
        sanction, _created = standing.impose(
            item.submitted_by_id,
            "revocation",
            "illegal_upload",
            f"review:{item.pk}",
            reason=text,
            starts_at=now,
            evidence={"review_item_id": item.pk, "target_key": item.target_key},
            actor=who,
        )
        evidence = {
            "target_key": item.target_key,
            "course_key": item.course_key,
            "fingerprint": item.fingerprint,
            "title": item.title,
            "submitted_at": item.submitted_at.isoformat() if item.submitted_at else None,
        }
        referral = IllegalContentReferral.objects.create(
            item=item,
            uploader_id=item.submitted_by_id,
            reported_by_id=who.user_id,
            description=text,
            evidence=evidence,
            sanction=sanction,
            created_at=now,
        )
        item.state, item.reviewer_id, item.decided_at, item.reason = (
            ReviewState.REJECTED, who.user_id, now, text,
        )  # fmt: skip
        item.save(update_fields=["state", "reviewer", "decided_at", "reason"])
        audit.record(
            who,
            "review.illegal_reported",
            item,
            {
                "target_key": item.target_key,
                "sanction_id": sanction.pk,
                "uploader_id": item.submitted_by_id,
            },
        )
        centre = list(
            get_user_model()
            .objects.filter(groups__name=AUDIT_CENTRE_GROUP, is_active=True)
            .values_list("pk", flat=True)
        )
        enqueue_bulk(
            [
                OutboxRow(
                    key=f"referral:{referral.pk}:{user_id}",
                    message_type="illegal_content_referral",
                    user_id=user_id,
                    context={
                        "referral_id": referral.pk,
                        "title": item.title or item.target_key,
                        "target_key": item.target_key,
                        "description": text,
                    },
                )
                for user_id in centre
            ]
        )
    return referral
