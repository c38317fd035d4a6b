"""The only writers of requests, feedback and complaints (P-29): sent by a learner, routed to
HR (and to the course team for a course's content or a question on its material), answered,
closed.

States: open -> answered -> closed. The learner may close an item at any time; an answered
item closes itself `ELEARN_FEEDBACK_CLOSE_DAYS` after the answer (the tick job). The answer
reaches the learner by mail through the outbox, keyed by the item, so it is sent once. Every
change is audited in its transaction (ADR 0001); what people wrote stays on the item row,
never in the trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.conf import setting
from elearn_plugin.courses.models import CoursePolicy
from elearn_plugin.feedback.models import (
    COURSE_TEAM_ABOUT,
    FeedbackItem,
    ItemAbout,
    ItemKind,
    ItemState,
)
from elearn_plugin.org.queries import unit_id_of
from elearn_plugin.outbox.services import OutboxRow, enqueue, enqueue_bulk
from elearn_plugin.permissions import ANY, Action, CourseTarget, Role, check, roles_of
from elearn_plugin.permissions.role_facts import stored_facts
from elearn_plugin.permissions.roles import PUBLISHER_GROUP
from elearn_plugin.rules.feedback import answer_due

MAX_SUBJECT = 200
MAX_TEXT = 4000
MAX_ANSWER = 4000


class FeedbackError(ValueError):
    """The step cannot be taken; the message says why and nothing changed. `status` is the
    HTTP status a page answers with (400 bad input, 404 no such item, 429 too many)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _text(value, limit: int, *, required: bool, empty: str, long: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise FeedbackError(empty)
    if len(text) > limit:
        raise FeedbackError(long % {"count": limit})
    return text


def _tz():
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    return get_policy().tz


def _check_course(course_key: str) -> str:
    key = course_key.strip() if isinstance(course_key, str) else ""
    if key and not CoursePolicy.objects.filter(course_key=key).exists():
        raise FeedbackError(_("There is no such course on the platform."))
    return key


def _check_kind(kind: str, about: str, course_key: str) -> tuple[str, str]:
    if kind not in ItemKind.values:
        raise FeedbackError(
            _("Choose what you are sending: a course request, feedback or a complaint.")
        )
    if kind == ItemKind.COURSE_REQUEST:
        return "", course_key
    if about not in ItemAbout.values:
        raise FeedbackError(
            _("Say what it is about: the platform, a course's content or a question.")
        )
    if about in COURSE_TEAM_ABOUT and not course_key:
        raise FeedbackError(_("Choose the course it is about."))
    return about, course_key


def submit_item(
    user,
    *,
    kind: str,
    subject: str,
    body: str = "",
    about: str = "",
    course_key: str = "",
    inbox_url: str = "",
    now: datetime | None = None,
) -> FeedbackItem:
    """A learner's request, feedback or complaint; `FeedbackError` when refused.

    A course request names the course wanted (`subject`, a course key optional); feedback
    and complaints say what they are about and, for a course's content or a question on its
    material, which course: the course team is then told by mail (`inbox_url` is where they
    answer). At most `ELEARN_FEEDBACK_PER_DAY` items a learner in 24 hours.
    """
    now = now or timezone.now()
    required_body = kind != ItemKind.COURSE_REQUEST
    subject = _text(
        subject, MAX_SUBJECT, required=True,
        empty=_("Write a subject (for a course request: the course you want)."),
        long=_("Keep the subject under %(count)s characters."),
    )  # fmt: skip
    body = _text(
        body, MAX_TEXT, required=required_body,
        empty=_("Write what you want to tell the HR centre."),
        long=_("Keep the text under %(count)s characters."),
    )  # fmt: skip
    about, course_key = _check_kind(kind, about, _check_course(course_key))
    limit = int(setting("ELEARN_FEEDBACK_PER_DAY"))
    with transaction.atomic():
        sent = FeedbackItem.objects.filter(user_id=user.pk, created_at__gt=now - timedelta(days=1))
        if sent.count() >= limit:
            raise FeedbackError(
                _(
                    "You have sent %(count)s items in the last 24 hours, the most allowed. "
                    "Try again tomorrow."
                )
                % {"count": limit},
                status=429,
            )
        days = int(setting("ELEARN_FEEDBACK_ANSWER_DAYS"))
        item = FeedbackItem.objects.create(
            user_id=user.pk, unit_id=unit_id_of(user.pk), kind=kind, about=about,
            course_key=course_key, subject=subject, body=body, created_at=now,
            due_at=answer_due(now, days, _tz()),
        )  # fmt: skip
        audit.record(
            user,
            "feedback.submitted",
            item,
            {"kind_code": kind, "about_code": about or None, "course_key": course_key or None},
        )
        if item.for_course_team:
            _route_to_course_team(item, inbox_url)
    return item


def _route_to_course_team(item: FeedbackItem, inbox_url: str) -> int:
    """Tell each member of the course's team (the host's staff and instructors) by mail."""
    from elearn_plugin.host.roles import course_team  # noqa: PLC0415

    members = sorted({uid for uid, _role in course_team(item.course_key) if uid != item.user_id})
    context = {
        "kind": item.kind,
        "about": item.about,
        "course_key": item.course_key,
        "due_on": item.due_at.astimezone(_tz()).date().isoformat(),
        "inbox_url": inbox_url,
    }
    rows = [
        OutboxRow(f"feedback-routed:{item.pk}:{uid}", "feedback_routed", uid, context)
        for uid in members
    ]
    return enqueue_bulk(rows) if rows else 0


def team_course_keys(user) -> set[str] | None:
    """Courses whose content items `user` answers as course team; None means every course
    (the publisher group, as `Scope.COURSE` reads it); an empty set, none."""
    if Role.PUBLISHER not in roles_of(user):
        return set()
    groups, _contact, staff = stored_facts(user)
    return None if PUBLISHER_GROUP in groups else set(staff)


def visible_items(user) -> QuerySet[FeedbackItem]:
    """The items `user` reads and answers: every item for HR, a course team's items of its
    courses about content or questions, nothing for anyone else (P-31)."""
    items = FeedbackItem.objects.all()
    if check(user, Action.MANAGE_FEEDBACK, ANY):  # HR
        return items
    if not check(user, Action.ANSWER_COURSE_FEEDBACK, ANY):
        return items.none()
    keys = team_course_keys(user)
    team = items.filter(about__in=COURSE_TEAM_ABOUT).exclude(course_key="")
    return team if keys is None else team.filter(course_key__in=keys)


def may_answer(user, item: FeedbackItem) -> bool:
    """HR answers every item; the course team the content and question items of its course."""
    if check(user, Action.MANAGE_FEEDBACK, ANY):
        return True
    return item.for_course_team and check(
        user, Action.ANSWER_COURSE_FEEDBACK, CourseTarget(item.course_key)
    )


def answer_item(
    item_id: int, *, actor, answer: str, page_url: str = "", now: datetime | None = None
) -> FeedbackItem:
    """Answer an open item; the learner is mailed the answer once (key of the item)."""
    now = now or timezone.now()
    text = _text(
        answer, MAX_ANSWER, required=True,
        empty=_("Write the answer the learner will read."),
        long=_("Keep the answer under %(count)s characters."),
    )  # fmt: skip
    with transaction.atomic():
        item = FeedbackItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or not may_answer(actor, item):
            raise FeedbackError(_("No such item."), status=404)
        if item.state != ItemState.OPEN:
            raise FeedbackError(_("This item has been answered or closed already."))
        item.state, item.answer = ItemState.ANSWERED, text
        item.answered_by_id, item.answered_at = actor.pk, now
        item.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        audit.record(
            actor, "feedback.answered", item, {"item_id": item.pk, "is_late": now > item.due_at}
        )
        enqueue(
            f"feedback-answered:{item.pk}",
            "feedback_answered",
            item.user_id,
            {
                "kind": item.kind,
                "sent_on": item.created_at.astimezone(_tz()).date().isoformat(),
                "answer": text,
                "page_url": page_url,
            },
        )
    return item


def close_item(item_id: int, *, user, now: datetime | None = None) -> FeedbackItem:
    """The learner closes their own item (open or answered)."""
    now = now or timezone.now()
    with transaction.atomic():
        item = FeedbackItem.objects.select_for_update().filter(pk=item_id, user_id=user.pk).first()
        if item is None:
            raise FeedbackError(_("No such item."), status=404)
        if item.state == ItemState.CLOSED:
            raise FeedbackError(_("This item is closed already."))
        item.state, item.closed_at, item.closed_by_learner = ItemState.CLOSED, now, True
        item.save(update_fields=["state", "closed_at", "closed_by_learner"])
        audit.record(user, "feedback.closed", item, {"item_id": item.pk, "reason_code": "learner"})
    return item


def close_answered(now: datetime | None = None, *, limit: int = 1000) -> int:
    """Close the items answered `ELEARN_FEEDBACK_CLOSE_DAYS` ago or more (one UPDATE per
    batch; a second run finds nothing). Runs as the tick job's principal."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(setting("ELEARN_FEEDBACK_CLOSE_DAYS")))
    with transaction.atomic():
        due = FeedbackItem.objects.select_for_update().filter(
            state=ItemState.ANSWERED, answered_at__lte=cutoff
        )
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        count = FeedbackItem.objects.filter(pk__in=ids, state=ItemState.ANSWERED).update(
            state=ItemState.CLOSED, closed_at=now
        )
        audit.record_bulk(
            None,
            "feedback.closed",
            (
                (f"elearn_plugin.feedbackitem:{pk}", {"item_id": pk, "reason_code": "answered"})
                for pk in ids
            ),
        )
    return count


def late_items(now: datetime | None = None) -> QuerySet[FeedbackItem]:
    """Open items past their due time."""
    return FeedbackItem.objects.filter(state=ItemState.OPEN, due_at__lte=now or timezone.now())


def late_filter(now: datetime | None = None) -> Q:
    return Q(state=ItemState.OPEN, due_at__lte=now or timezone.now())
