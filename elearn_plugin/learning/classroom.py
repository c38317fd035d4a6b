"""The only writer of classroom sessions (P-27): an offline session and its attendance,
recorded as learning time through `elearn_plugin.learning.activities`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.learning.activities import (
    MAX_ACTIVITY,
    ActivitySpec,
    classify,
    record_activities_bulk,
)
from elearn_plugin.learning.models import ActivityKind, ClassroomSession
from elearn_plugin.learning.validation import (
    LearningDataError,
    aware_datetime,
    clean_text,
    positive_id,
)

MAX_RATING = Decimal("5")


@dataclass(frozen=True)
class ClassroomSessionSpec:
    """An offline session (P-27); `session_key` identifies it, e.g. 'hr-2026-031'."""

    session_key: str
    title: str
    instructor_name: str
    started_at: datetime
    duration_seconds: int
    unit_id: int | None = None
    rating: Decimal | None = None
    course_key: str = ""


def record_classroom_session(
    spec: ClassroomSessionSpec, attendee_ids: Iterable[int], *, actor=None
) -> ClassroomSession:
    """Record an offline session and its attendance as learning time (P-27, P-24).

    Idempotent by `session_key`: repeating it changes nothing and adding attendees later
    adds only them. The session's own time counts as permitted for its attendees.
    """
    session_key = clean_text(spec.session_key, "session_key", 200)
    title = clean_text(spec.title, "title", 255)
    instructor = clean_text(spec.instructor_name, "instructor_name", 200)
    start = aware_datetime(spec.started_at, "started_at")
    duration = spec.duration_seconds
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise LearningDataError("duration_seconds must be a positive integer")
    if duration > MAX_ACTIVITY.total_seconds():
        raise LearningDataError(f"a session may last at most {MAX_ACTIVITY}")
    rating = _rating(spec.rating)
    course_key = clean_text(spec.course_key, "course_key", 255, required=False)
    if spec.unit_id is not None:
        from elearn_plugin.org.models import Unit  # noqa: PLC0415

        if not Unit.objects.filter(pk=positive_id(spec.unit_id, "unit_id")).exists():
            raise LearningDataError(f"unit {spec.unit_id} does not exist")
    who = audit.resolve(actor)
    attendees = sorted({positive_id(uid, "attendee id") for uid in attendee_ids})
    missing = sorted(missing_user_ids(attendees))
    if missing:
        raise LearningDataError(f"unknown attendee ids: {missing[:20]}")
    with transaction.atomic():
        session, created = ClassroomSession.objects.get_or_create(
            session_key=session_key,
            defaults={
                "title": title,
                "instructor_name": instructor,
                "unit_id": spec.unit_id,
                "course_key": course_key,
                "started_at": start,
                "duration_seconds": duration,
                "rating": rating,
            },
        )
        added = 0
        if attendees:
            s_start = session.started_at
            s_end = s_start + timedelta(seconds=session.duration_seconds)
            classification = classify(s_start, s_end, [(s_start, s_end)])
            added = record_activities_bulk(
                [
                    ActivitySpec(
                        user_id=uid,
                        kind=ActivityKind.CLASSROOM,
                        source_key=f"classroom:{session.pk}:{uid}",
                        started_at=s_start,
                        ended_at=s_end,
                        seconds=session.duration_seconds,
                        course_key=session.course_key,
                        classification=classification,
                    )
                    for uid in attendees
                ],
                actor=who,
            )
        if created or added:
            audit.record(
                who,
                "classroom.recorded",
                session,
                {"attendee_count": added, "created": created},
            )
    return session


def _rating(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float | bool):
        raise LearningDataError("rating must be a Decimal or an integer, not a float")
    try:
        rating = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise LearningDataError(f"rating is not a number: {value!r}")
    if not rating.is_finite() or rating < 0 or rating > MAX_RATING:
        raise LearningDataError(f"rating must be between 0 and {MAX_RATING}")
    return rating.quantize(Decimal("0.01"))
