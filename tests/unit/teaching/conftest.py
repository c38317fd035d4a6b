"""Sessions taught for the instructor archive's tests: classroom sessions with attendees and an
imported rating, online courses with assigned learners and completions, made through the
services of their domains."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from elearn_plugin.courses import services as courses
from elearn_plugin.courses.models import CourseKind, CourseOrigin
from elearn_plugin.host.roles import FakeRolesAdapter
from elearn_plugin.learning.classroom import ClassroomSessionSpec, record_classroom_session
from elearn_plugin.teaching.models import TeachingSession
from elearn_plugin.teaching.sync import sync_sessions
from tests.helpers.role_matrix import role_users  # noqa: F401  (a fixture of this suite)

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
T0 = datetime(2026, 10, 14, 6, 0, tzinfo=UTC)  # a Wednesday, 14:00 in Shanghai
COURSE = "course-v1:Org+TEACH1+2026"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    FakeRolesAdapter.clear()
    yield
    FakeRolesAdapter.clear()
    cache.clear()


def classroom(instructor: str, attendees, *, rating=None, start=T0, minutes=90, title=None):
    """A classroom session of `instructor` attended by `attendees` (users), synced."""
    n = next(_seq)
    session = record_classroom_session(
        ClassroomSessionSpec(
            session_key=f"t-{n}",
            title=title or f"Session {n}",
            instructor_name=instructor,
            started_at=start,
            duration_seconds=minutes * 60,
            rating=None if rating is None else Decimal(str(rating)),
        ),
        [u.pk for u in attendees],
    )
    sync_sessions()
    return TeachingSession.objects.get(classroom=session)


def course(key: str = COURSE, title: str = "Teaching course"):
    courses.save_course_policy(
        courses.CoursePolicySpec(
            key, title, Decimal("2"), CourseKind.REQUIRED, CourseOrigin.INTERNAL
        )
    )
    sync_sessions()
    return TeachingSession.objects.get(key=f"course:{key}")


def assign(user, key: str = COURSE, *, at=T0, due=None):
    courses.assign_bulk(
        [courses.AssignmentSpec(user.pk, key, due or at + timedelta(days=30), assigned_at=at)]
    )


def complete(user, key: str = COURSE, *, at):
    courses.record_completion(user.pk, key, at)
