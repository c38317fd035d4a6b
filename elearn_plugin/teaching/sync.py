"""The sessions taught, gathered from where they are recorded (P-27): the classroom register
(`learning.ClassroomSession`, loaded from HR's data file) and the online courses with their
course teams in the platform (course staff and instructors teach the course's run).

Safe to run at any time and twice: a session, an instructor and a link are each created once
under their unique keys, and a run that finds nothing new writes nothing. Classroom sessions
are read in chunks by id, each chunk a few statements; course teams are asked once per course
(the host's roles, behind `host.roles`), never per learner.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.rules import teaching as rules
from elearn_plugin.teaching.models import (
    Instructor,
    SessionKind,
    TaughtBy,
    TaughtOrigin,
    TeachingSession,
)

CHUNK = 500
MAX_COURSES = 5000


@dataclass(frozen=True)
class SyncReport:
    sessions: int
    instructors: int
    links: int


def _video_seconds(course_keys) -> dict[str, int]:
    from elearn_plugin.video.models import TrackedVideo  # noqa: PLC0415

    rows = (
        TrackedVideo.objects.filter(course_key__in=list(course_keys))
        .values("course_key")
        .annotate(total=Sum("duration"))
    )
    return {row["course_key"]: int(row["total"] or 0) for row in rows}


def ensure_course_session(course_key: str, *, actor=None) -> TeachingSession | None:
    """The teaching session of an online course's run, created if new; None for a course
    the plugin does not know (no course policy)."""
    from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415

    policy = CoursePolicy.objects.filter(course_key=str(course_key).strip()).first()
    if policy is None:
        return None
    with transaction.atomic():
        session, created = TeachingSession.objects.get_or_create(
            key=f"course:{policy.course_key}",
            defaults={
                "kind": SessionKind.ONLINE,
                "course_key": policy.course_key,
                "title": policy.title[:255],
                "started_at": policy.created_at,
                "duration_seconds": _video_seconds([policy.course_key]).get(policy.course_key, 0),
            },
        )
        if created:
            audit.record(
                actor,
                "teaching_session.recorded",
                session,
                {"kind_code": session.kind, "course_key": session.course_key},
            )
    return session


def _instructors_by_name(names: set[str], who) -> dict[str, Instructor]:
    """The instructors of these display names by key, the missing ones created."""
    wanted = {rules.name_key(n): rules.display_name(n) for n in names if rules.name_key(n)}
    found = {i.key: i for i in Instructor.objects.filter(key__in=list(wanted))}
    new = [Instructor(key=k, name=n) for k, n in wanted.items() if k not in found]
    if new:
        Instructor.objects.bulk_create(new, ignore_conflicts=True)
        found = {i.key: i for i in Instructor.objects.filter(key__in=list(wanted))}
        audit.record_bulk(
            who,
            "instructor.recorded",
            [(found[i.key], {"user_id": None}) for i in new if i.key in found],
        )
    return found


def _link_rows(rows: list[TaughtBy], who) -> int:
    """Insert the links not there yet; the number created."""
    if not rows:
        return 0
    sessions = {r.session_id for r in rows}
    existing = set(
        TaughtBy.objects.filter(session_id__in=sessions).values_list("session_id", "instructor_id")
    )
    new = [r for r in rows if (r.session_id, r.instructor_id) not in existing]
    if not new:
        return 0
    TaughtBy.objects.bulk_create(new, ignore_conflicts=True)
    audit.record_bulk(
        who,
        "instructor.named",
        [
            (f"elearn_plugin.teachingsession:{r.session_id}",
             {"instructor_id": r.instructor_id, "origin_code": r.origin})
            for r in new
        ],
    )  # fmt: skip
    return len(new)


def _sync_classroom(who) -> tuple[int, int]:
    from elearn_plugin.learning.models import ClassroomSession  # noqa: PLC0415

    sessions = links = 0
    pending = ClassroomSession.objects.filter(teaching_session__isnull=True).order_by("pk")
    ids = list(pending.values_list("pk", flat=True))
    for chunk in chunked(ids, CHUNK):
        with transaction.atomic():
            rows = list(
                ClassroomSession.objects.filter(pk__in=chunk).values(
                    "pk", "title", "instructor_name", "course_key", "started_at", "duration_seconds"
                )
            )
            instructors = _instructors_by_name({r["instructor_name"] for r in rows}, who)
            made = TeachingSession.objects.bulk_create(
                [
                    TeachingSession(
                        key=f"classroom:{r['pk']}",
                        kind=SessionKind.CLASSROOM,
                        classroom_id=r["pk"],
                        course_key=r["course_key"],
                        title=r["title"],
                        started_at=r["started_at"],
                        duration_seconds=r["duration_seconds"],
                    )
                    for r in rows
                ],
                ignore_conflicts=True,
            )
            by_classroom = dict(
                TeachingSession.objects.filter(classroom_id__in=chunk).values_list(
                    "classroom_id", "pk"
                )
            )
            audit.record_bulk(
                who,
                "teaching_session.recorded",
                [
                    (f"elearn_plugin.teachingsession:{by_classroom[r['pk']]}",
                     {"kind_code": SessionKind.CLASSROOM, "classroom_id": r["pk"]})
                    for r in rows
                ],
            )  # fmt: skip
            sessions += len(made)
            links += _link_rows(
                [
                    TaughtBy(
                        session_id=by_classroom[r["pk"]],
                        instructor_id=instructors[key].pk,
                        origin=TaughtOrigin.CLASSROOM,
                    )
                    for r in rows
                    if (key := rules.name_key(r["instructor_name"])) in instructors
                ],
                who,
            )
    return sessions, links


def _account_names(user_ids: set[int]) -> dict[int, str]:
    """The name each account is known by: HR's record, else the account's name."""
    from elearn_plugin.org.models import Person  # noqa: PLC0415

    names = dict(Person.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))
    for uid, first, last, username in (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "first_name", "last_name", "username")
    ):
        names.setdefault(uid, f"{first} {last}".strip() or username)
    return names


def _instructors_of_accounts(user_ids: set[int], who) -> dict[int, Instructor]:
    """The instructor of each account; an account without one gets the instructor of its
    name when that one has no account yet (the name is how the classroom register knows
    them), else a new instructor keyed by its name and account id."""
    found = {i.user_id: i for i in Instructor.objects.filter(user_id__in=user_ids)}
    missing = user_ids - set(found)
    names = _account_names(missing)
    for uid in sorted(missing):
        if uid not in names:
            continue  # the account is gone
        display = rules.display_name(names[uid])
        key = rules.name_key(display) or f"user {uid}"
        same = Instructor.objects.filter(key=key).first()
        if same is not None and same.user_id is None:
            same.user_id = uid
            same.save(update_fields=["user"])
            audit.record(who, "instructor.linked", same, {"user_id": uid})
            found[uid] = same
            continue
        if same is not None:
            key = f"{key} #{uid}"[: rules.MAX_NAME]
        made = Instructor.objects.create(key=key, name=display or str(uid), user_id=uid)
        audit.record(who, "instructor.recorded", made, {"user_id": uid})
        found[uid] = made
    return found


def _date_runs(keys: list[str]) -> int:
    """A course's run is dated by its first assignment (the course opened for learners), not
    by when the course was registered; one grouped query, and an update only where it moved.
    The date is a fact of the run, not a decision: it is not audited."""
    from django.db.models import Min  # noqa: PLC0415

    from elearn_plugin.courses.models import Assignment  # noqa: PLC0415

    first = dict(
        Assignment.objects.filter(course_key__in=keys)
        .values("course_key")
        .annotate(first=Min("assigned_at"))
        .order_by()
        .values_list("course_key", "first")
    )
    moved = [
        s
        for s in TeachingSession.objects.filter(kind=SessionKind.ONLINE, course_key__in=list(first))
        if first[s.course_key] < s.started_at
    ]
    for session in moved:
        session.started_at = first[session.course_key]
    TeachingSession.objects.bulk_update(moved, ["started_at"], batch_size=CHUNK)
    return len(moved)


def _sync_courses(who) -> tuple[int, int]:
    from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.roles import course_team  # noqa: PLC0415

    keys = list(
        CoursePolicy.objects.order_by("course_key").values_list("course_key", flat=True)[
            :MAX_COURSES
        ]
    )
    known = set(
        TeachingSession.objects.filter(kind=SessionKind.ONLINE).values_list("course_key", flat=True)
    )
    sessions = 0
    for key in keys:
        if key not in known:
            sessions += ensure_course_session(key, actor=who) is not None
    _date_runs(keys)
    teams = {key: {uid for uid, _role in course_team(key)} for key in keys}
    members = set().union(*teams.values()) if teams else set()
    if not members:
        return sessions, 0
    with transaction.atomic():
        instructors = _instructors_of_accounts(members, who)
        by_course = dict(
            TeachingSession.objects.filter(kind=SessionKind.ONLINE, course_key__in=keys)
            .values_list("course_key", "pk")
        )  # fmt: skip
        links = _link_rows(
            [
                TaughtBy(
                    session_id=by_course[key],
                    instructor_id=instructors[uid].pk,
                    origin=TaughtOrigin.COURSE_TEAM,
                )
                for key, uids in teams.items()
                for uid in sorted(uids)
                if key in by_course and uid in instructors
            ],
            who,
        )
    return sessions, links


def sync_sessions(*, actor=None) -> SyncReport:
    """Gather the sessions taught and their instructors (P-27); what it created."""
    who = audit.resolve(actor)
    before = Instructor.objects.count()
    classroom_sessions, classroom_links = _sync_classroom(who)
    course_sessions, course_links = _sync_courses(who)
    return SyncReport(
        sessions=classroom_sessions + course_sessions,
        instructors=Instructor.objects.count() - before,
        links=classroom_links + course_links,
    )
