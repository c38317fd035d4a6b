"""The only writers of the instructor archive and its ratings (P-27, P-30).

- `rate_session` — a learner's rating of a session they attended or a course they completed;
  a second rating replaces the first (one per learner and session).
- `name_instructor` — HR names an instructor of an online course (the lecturer of a bought
  course has no account in the course team, P-9), creating the instructor if new.
- `link_account` — HR links an instructor to their account, so they can read their history.
- `sync_sessions` (in `teaching.sync`, re-exported) — the sessions taught, from the classroom
  register and the course teams; the tick runs it.

Each writer records its audit event in its transaction; bad input raises `TeachingError`
(its `status` is the HTTP answer: 400 bad input, 403 not allowed) and writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.rules import teaching as rules
from elearn_plugin.teaching.models import (
    Instructor,
    SessionKind,
    SessionRating,
    TaughtBy,
    TaughtOrigin,
    TeachingSession,
)
from elearn_plugin.teaching.sync import SyncReport, ensure_course_session, sync_sessions

__all__ = [
    "SyncReport",
    "TeachingError",
    "link_account",
    "name_instructor",
    "rate_session",
    "sync_sessions",
]


class TeachingError(ValueError):
    """Refused; the message is safe to show and nothing was written."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def attended(user_id: int, session: TeachingSession) -> bool:
    """Whether the learner attended the classroom session (their attendance is learning time
    recorded under the session's key by `learning.classroom`)."""
    from elearn_plugin.learning.models import ActivityKind, LearningActivity  # noqa: PLC0415

    if session.classroom_id is None:
        return False
    return LearningActivity.objects.filter(
        source_key=f"classroom:{session.classroom_id}:{user_id}", kind=ActivityKind.CLASSROOM
    ).exists()


def completed(user_id: int, session: TeachingSession) -> bool:
    """Whether the learner completed the online course (P-17's completion record)."""
    from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415

    if session.kind != SessionKind.ONLINE:
        return False
    return CourseCompletion.objects.filter(user_id=user_id, course_key=session.course_key).exists()


def _session_id(value: object) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise TeachingError(_("Choose a session to rate."))
    return number


def rate_session(
    user, session_id: object, score: object, comment: str = "", *, now: datetime | None = None
) -> tuple[SessionRating, bool]:
    """Record the learner's rating (P-30); True when it is their first for the session.

    Only an attendee of a classroom session, or a learner who completed the online course,
    may rate it (403); a score outside 1-5, a comment too long or an unknown session is bad
    input (400). Rating again replaces the score and comment.
    """
    problem = rules.rating_problem(score, comment)
    if problem == "score":
        raise TeachingError(_("Give a rating from 1 to 5."))
    if problem == "comment":
        raise TeachingError(
            _("Keep the comment under %(n)s characters.") % {"n": rules.MAX_COMMENT}
        )
    session = TeachingSession.objects.filter(pk=_session_id(session_id)).first()
    if session is None:
        raise TeachingError(_("There is no such session to rate."))
    allowed = rules.may_rate(
        session.kind,
        attended=attended(user.pk, session),
        completed=completed(user.pk, session),
    )
    if not allowed:
        raise TeachingError(
            _("Only learners who attended the session, or completed the course, may rate it."),
            status=403,
        )
    with transaction.atomic():
        rating, created = SessionRating.objects.update_or_create(
            session=session,
            user=user,
            defaults={
                "score": score,
                "comment": comment.strip(),
                "rated_at": now or timezone.now(),
            },
        )
        audit.record(
            user,
            "session_rating.saved",
            rating,
            {"session_id": session.pk, "score_code": str(score), "created": created},
        )
    return rating, created


def _instructor_for(name: str, user_id: int | None) -> tuple[Instructor, bool]:
    display = rules.display_name(name)
    key = rules.name_key(display)
    if not key:
        raise TeachingError(_("Give the instructor's name."))
    instructor, created = Instructor.objects.get_or_create(key=key, defaults={"name": display})
    if user_id is not None and instructor.user_id not in (None, user_id):
        raise TeachingError(_("This instructor is linked to another account."))
    return instructor, created


def name_instructor(
    course_key: str, name: str, *, user_id: int | None = None, actor=None
) -> tuple[TaughtBy, bool]:
    """HR names an instructor of an online course (P-27); True when newly named."""
    who = audit.resolve(actor)
    with transaction.atomic():
        session = ensure_course_session(course_key, actor=who)
        if session is None:
            raise TeachingError(_("There is no course with this key."))
        instructor, _created = _instructor_for(name, user_id)
        if user_id is not None and instructor.user_id is None:
            _link(instructor, user_id, who)
        taught, created = TaughtBy.objects.get_or_create(
            session=session, instructor=instructor, defaults={"origin": TaughtOrigin.NAMED}
        )
        if created:
            audit.record(
                who,
                "instructor.named",
                taught,
                {"instructor_id": instructor.pk, "course_key": session.course_key},
            )
    return taught, created


def _link(instructor: Instructor, user_id: int, who) -> None:
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise TeachingError(_("There is no such account."))
    if Instructor.objects.filter(user_id=user_id).exclude(pk=instructor.pk).exists():
        raise TeachingError(_("This account is linked to another instructor."))
    instructor.user_id = user_id
    instructor.save(update_fields=["user"])
    audit.record(who, "instructor.linked", instructor, {"user_id": user_id})


def link_account(instructor_id: int, user_id: int, *, actor=None) -> bool:
    """Link an instructor to their account (they may then read their history); True when
    it changed. An account belongs to one instructor at most."""
    who = audit.resolve(actor)
    with transaction.atomic():
        instructor = Instructor.objects.select_for_update().filter(pk=instructor_id).first()
        if instructor is None:
            raise TeachingError(_("There is no such instructor."))
        if instructor.user_id == user_id:
            return False
        if instructor.user_id is not None:
            raise TeachingError(_("This instructor is linked to another account."))
        _link(instructor, user_id, who)
    return True
