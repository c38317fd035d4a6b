"""The instructor archive's reads (P-27, P-30): every figure one grouped query, so the pages
cost the same for 30 learners as for 30,000.

Learners' ratings and the imported session-level rating (from HR's data file, on the
classroom session) are kept apart: the learners' average is of `SessionRating` rows only, the
imported one is the average of the sessions' imported ratings, and each is shown labelled.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Avg,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth

from elearn_plugin.rules import teaching as rules
from elearn_plugin.teaching.models import (
    Instructor,
    SessionKind,
    SessionRating,
    TaughtBy,
    TeachingSession,
)

MAX_SESSIONS = 2000


def hours(seconds: int | None) -> Decimal:
    """Seconds as hours with one decimal."""
    return (Decimal(seconds or 0) / 3600).quantize(Decimal("0.1"))


def _avg(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def instructor_rows() -> list[dict]:
    """One row per instructor: sessions taught, hours, learners' and imported ratings."""
    learners = {
        row["session__taught__instructor"]: row
        for row in SessionRating.objects.values("session__taught__instructor")
        .annotate(count=Count("id"), total=Sum("score"))
        .order_by()
    }
    imported = {
        row["instructor"]: row
        for row in TaughtBy.objects.filter(session__classroom__rating__isnull=False)
        .values("instructor")
        .annotate(avg=Avg("session__classroom__rating"), count=Count("id"))
        .order_by()
    }
    rows = []
    for item in (
        Instructor.objects.annotate(
            sessions=Count("taught"), seconds=Sum("taught__session__duration_seconds")
        )
        .order_by("name", "pk")
        .values("pk", "name", "user_id", "sessions", "seconds")
    ):
        mine, old = learners.get(item["pk"], {}), imported.get(item["pk"], {})
        rows.append(
            {
                "id": item["pk"],
                "name": item["name"],
                "has_account": item["user_id"] is not None,
                "sessions": item["sessions"],
                "hours": hours(item["seconds"]),
                "rating": rules.mean(mine.get("total"), mine.get("count", 0)),
                "rating_count": mine.get("count", 0),
                "imported_rating": _avg(old.get("avg")),
                "imported_count": old.get("count", 0),
            }
        )
    return rows


def _attendees():
    """Learners who attended a classroom session: their classroom time carries its key."""
    from elearn_plugin.learning.models import ActivityKind, LearningActivity  # noqa: PLC0415

    prefix = Concat(Value("classroom:"), Cast(OuterRef("classroom_id"), CharField()), Value(":"))
    return (
        LearningActivity.objects.filter(kind=ActivityKind.CLASSROOM, source_key__startswith=prefix)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
        .values("n")
    )


def _enrolled():
    """Learners assigned or enrolled in an online course (withdrawn ones do not count)."""
    from elearn_plugin.courses.models import Assignment  # noqa: PLC0415

    return (
        Assignment.objects.filter(course_key=OuterRef("course_key"), withdrawn_at__isnull=True)
        .order_by()
        .values("course_key")
        .annotate(n=Count("user", distinct=True))
        .values("n")
    )


def _completers():
    from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415

    return (
        CourseCompletion.objects.filter(course_key=OuterRef("course_key"))
        .order_by()
        .values("course_key")
        .annotate(n=Count("id"))
        .values("n")
    )


def session_rows(instructor_id: int) -> list[dict]:
    """The sessions an instructor taught, newest first, each with its attendees and ratings."""
    zero = Value(0, output_field=IntegerField())
    sessions = (
        TeachingSession.objects.filter(taught__instructor_id=instructor_id)
        .annotate(
            rating_count=Count("ratings"),
            rating_total=Sum("ratings__score"),
            attendees=Coalesce(Subquery(_attendees(), output_field=IntegerField()), zero),
            enrolled=Coalesce(Subquery(_enrolled(), output_field=IntegerField()), zero),
            completed=Coalesce(Subquery(_completers(), output_field=IntegerField()), zero),
        )
        .order_by("-started_at", "pk")
        .values(
            "pk", "kind", "title", "course_key", "started_at", "duration_seconds",
            "classroom__rating", "rating_count", "rating_total", "attendees", "enrolled",
            "completed",
        )[:MAX_SESSIONS]
    )  # fmt: skip
    rows = []
    for s in sessions:
        online = s["kind"] == SessionKind.ONLINE
        rows.append(
            {
                "id": s["pk"],
                "kind": s["kind"],
                "kind_label": SessionKind(s["kind"]).label,
                "title": s["title"],
                "course_key": s["course_key"],
                "date": s["started_at"],
                "hours": hours(s["duration_seconds"]),
                "attendees": s["enrolled"] if online else s["attendees"],
                "completed": s["completed"] if online else None,
                "rating": rules.mean(s["rating_total"], s["rating_count"]),
                "rating_count": s["rating_count"],
                "imported_rating": _avg(s["classroom__rating"]),
            }
        )
    return rows


def monthly_ratings(instructor_id: int, tz) -> list[dict]:
    """The learners' ratings of an instructor per month (of rating), oldest first."""
    rows = (
        SessionRating.objects.filter(session__taught__instructor_id=instructor_id)
        .annotate(month=TruncMonth("rated_at", tzinfo=tz))
        .values("month")
        .annotate(count=Count("id"), total=Sum("score"))
        .order_by("month")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "count": row["count"],
            "rating": rules.mean(row["total"], row["count"]),
        }
        for row in rows
    ]


def instructor_history(instructor: Instructor, tz) -> dict:
    """The template context of one instructor's page."""
    sessions = session_rows(instructor.pk)
    rated = [s for s in sessions if s["rating_count"]]
    imported = [s["imported_rating"] for s in sessions if s["imported_rating"] is not None]
    total = sum(s["rating"] * s["rating_count"] for s in rated)
    count = sum(s["rating_count"] for s in rated)
    return {
        "instructor": instructor,
        "sessions": sessions,
        "months": monthly_ratings(instructor.pk, tz),
        "summary": {
            "sessions": len(sessions),
            "hours": sum((s["hours"] for s in sessions), Decimal("0.0")),
            "rating": rules.mean(total, count) if count else None,
            "rating_count": count,
            "imported_rating": rules.mean(sum(imported), len(imported)),
            "imported_count": len(imported),
        },
    }


def rateable(user_id: int) -> list[dict]:
    """What the learner may rate: classroom sessions attended, online courses completed,
    each with the learner's current rating."""
    from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415
    from elearn_plugin.learning.models import ActivityKind, LearningActivity  # noqa: PLC0415

    keys = LearningActivity.objects.filter(
        user_id=user_id, kind=ActivityKind.CLASSROOM, source_key__startswith="classroom:"
    ).values_list("source_key", flat=True)
    classroom_ids = {int(k.split(":")[1]) for k in keys if k.count(":") == 2}
    courses = CourseCompletion.objects.filter(user_id=user_id).values_list("course_key", flat=True)
    sessions = TeachingSession.objects.filter(classroom_id__in=classroom_ids) | (
        TeachingSession.objects.filter(kind=SessionKind.ONLINE, course_key__in=list(courses))
    )
    mine = {
        r["session_id"]: r
        for r in SessionRating.objects.filter(user_id=user_id).values(
            "session_id", "score", "comment", "rated_at"
        )
    }
    chosen = list(sessions.order_by("-started_at", "pk")[:MAX_SESSIONS])
    names: dict[int, list[str]] = {}
    for session_id, name in (
        TaughtBy.objects.filter(session__in=chosen)
        .order_by("instructor__name")
        .values_list("session_id", "instructor__name")
    ):
        names.setdefault(session_id, []).append(name)
    return [
        {
            "id": s.pk,
            "title": s.title,
            "kind_label": s.get_kind_display(),
            "date": s.started_at,
            "instructors": ", ".join(names.get(s.pk, [])),
            "mine": mine.get(s.pk),
        }
        for s in chosen
    ]
