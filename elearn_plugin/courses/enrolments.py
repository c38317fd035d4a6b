"""Enrolling assigned learners in the host course, and confirming enrolments (P-14, P-15).

Enrolment is I/O on the host, so it never runs inside the transaction that assigns: the
assigning writer registers `enrol_after_commit`, and a rolled-back assignment enrols nobody.
When the host refuses or fails, the assignments stand (they are HR's decision, and a deadline
must not depend on the host being up) and stay unconfirmed (`enrolled_at` empty); the tick job
`courses.assignment_rules` retries every unconfirmed one (ADR 0011). Failures are reported as
counts with the course key: usernames are personal data (P-32).

An enrolment is confirmed by the host's COURSE_ENROLLMENT_CREATED (`confirm_enrolment`,
called by its receiver), or by the adapter answering "already enrolled". A learner's own
enrolment in an elective without an assignment becomes a followed elective (P-15).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.courses import services
from elearn_plugin.courses.models import (
    Assignment,
    AssignmentSource,
    CourseCompletion,
    CourseKind,
    CoursePolicy,
)
from elearn_plugin.courses.validation import _aware, _course_key
from elearn_plugin.host.enrollment import EnrollmentError, EnrollResult, get_enrollment_adapter
from elearn_plugin.org.models import Person
from elearn_plugin.policy.runtime import get_policy

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
# Sources enrolled by the plugin; imported history and the learner's own electives are not.
ENROLLED_SOURCES = (AssignmentSource.JOB_ROLE, AssignmentSource.HR)


@dataclass
class EnrolReport:
    """Counts of one enrolment run (no personal data)."""

    courses: int = 0
    enrolled: int = 0
    already: int = 0
    invalid: int = 0
    failed: int = 0
    confirmed: int = 0

    def add(self, result: EnrollResult) -> None:
        self.enrolled += len(result.enrolled)
        self.already += len(result.already)
        self.invalid += len(result.invalid)
        self.failed += len(result.failed)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def enrol_after_commit(pairs: Sequence[tuple[int, str]], actor=None) -> None:
    """Enrol (learner id, course key) pairs once the caller's transaction commits.

    `actor` is resolved now: after commit the caller's principal may be gone.
    """
    who = audit.resolve(actor)
    pairs = list(pairs)
    transaction.on_commit(lambda: enrol_assigned(pairs, actor=who), robust=True)


def enrol_assigned(
    pairs: Iterable[tuple[int, str]], *, actor=None, when: datetime | None = None
) -> EnrolReport:
    """Enrol learners in their assigned courses on the host, in bulk, one call per course.

    Never raises for a host failure: the report counts it and the assignments stay
    unconfirmed for the tick's retry. Must run outside a transaction that could roll back.
    """
    who = audit.resolve(actor)
    now = when or timezone.now()
    by_course: dict[str, set[int]] = defaultdict(set)
    for user_id, course_key in pairs:
        by_course[course_key].add(user_id)
    report = EnrolReport(courses=len(by_course))
    names = _usernames({uid for ids in by_course.values() for uid in ids})
    adapter = get_enrollment_adapter()
    for course_key, user_ids in sorted(by_course.items()):
        ids_of = {names[uid]: uid for uid in user_ids if uid in names}
        report.invalid += len(user_ids) - len(ids_of)
        for chunk in chunked(sorted(ids_of), CHUNK_SIZE):
            result = _enrol(adapter, course_key, chunk)
            report.add(result)
            done = [ids_of[name] for name in (*result.enrolled, *result.already)]
            report.confirmed += mark_enrolled(course_key, done, when=now, actor=who)
    if report.invalid or report.failed:
        log.warning("Enrolment of assigned learners: %s", report.as_dict())
    return report


def _enrol(adapter, course_key: str, usernames: list[str]) -> EnrollResult:
    try:
        return adapter.bulk_enroll(course_key, usernames)
    except EnrollmentError as exc:
        result = exc.partial
        reason = "refused"
    except Exception as exc:  # noqa: BLE001 - reported; the tick retries the rest
        result, reason = EnrollResult(), type(exc).__name__
    done = set(result.enrolled) | set(result.already) | set(result.invalid)
    result.failed += [name for name in usernames if name not in done and name not in result.failed]
    log.warning("Enrolment in %s failed (%s) for %d learners", course_key, reason, len(usernames))
    return result


def _usernames(user_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in chunked(sorted(user_ids), CHUNK_SIZE):
        found.update(get_user_model().objects.filter(pk__in=chunk).values_list("pk", "username"))
    return found


def mark_enrolled(course_key: str, user_ids: Iterable[int], *, when: datetime, actor=None) -> int:
    """Set `enrolled_at` on the learners' open, unconfirmed assignments of a course."""
    who = audit.resolve(actor)
    ids = sorted(set(user_ids))
    marked = 0
    for chunk in chunked(ids, CHUNK_SIZE):
        with transaction.atomic():
            pks = list(
                Assignment.objects.select_for_update()
                .filter(
                    user_id__in=chunk,
                    course_key=course_key,
                    withdrawn_at__isnull=True,
                    enrolled_at__isnull=True,
                )
                .values_list("pk", flat=True)
            )
            if not pks:
                continue
            Assignment.objects.filter(pk__in=pks).update(enrolled_at=when)
            audit.record_bulk(
                who,
                "assignment.enrolled",
                [(audit.target_of(Assignment, pk), {"course_key": course_key}) for pk in pks],
            )
            marked += len(pks)
    return marked


def confirm_enrolment(*, user_id: int, course_key: str, when: datetime, actor=None) -> None:
    """The host enrolled a learner (COURSE_ENROLLMENT_CREATED): confirm their assignments.

    Without an open assignment, an enrolment of an active learner in an elective course
    becomes a followed elective (source `chosen`) whose target is
    `assignments.elective_target_days` after the enrolment (P-15). The receiver runs it inside
    `audit.acting_as("receiver:…")`; a replayed event changes nothing.
    """
    key = _course_key(course_key)
    moment = _aware(when, "when")
    who = audit.resolve(actor)
    with transaction.atomic():
        open_rows = Assignment.objects.filter(
            user_id=user_id, course_key=key, withdrawn_at__isnull=True
        )
        if open_rows.exists():
            mark_enrolled(key, [user_id], when=moment, actor=who)
            return
        elective = CoursePolicy.objects.filter(course_key=key, kind=CourseKind.ELECTIVE)
        learner = Person.objects.filter(user_id=user_id, status=Person.ACTIVE)
        if not (elective.exists() and learner.exists()):
            return
        days = get_policy().assignments.elective_target_days
        created = services.assign_bulk(
            [
                services.AssignmentSpec(
                    user_id=user_id,
                    course_key=key,
                    due_at=moment + timedelta(days=days),
                    source=AssignmentSource.CHOSEN,
                    assigned_at=moment,
                )
            ],
            actor=who,
        )
        if created:
            mark_enrolled(key, [user_id], when=moment, actor=who)


def unconfirmed_pairs() -> list[tuple[int, str]]:
    """(learner, course) of open, not completed assignments the host has not confirmed."""
    done = CourseCompletion.objects.filter(
        user_id=OuterRef("user_id"), course_key=OuterRef("course_key")
    )
    rows = (
        Assignment.objects.filter(
            source__in=ENROLLED_SOURCES, withdrawn_at__isnull=True, enrolled_at__isnull=True
        )
        .exclude(Exists(done))
        .values_list("user_id", "course_key")
        .distinct()
        .order_by("course_key", "user_id")
    )
    return list(rows)


def retry_unconfirmed(*, actor=None, when: datetime | None = None) -> EnrolReport:
    """Enrol again every assignment still unconfirmed (the tick's catch-up)."""
    pairs = unconfirmed_pairs()
    if not pairs:
        return EnrolReport()
    return enrol_assigned(pairs, actor=actor, when=when)
