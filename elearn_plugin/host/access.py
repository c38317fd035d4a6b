"""Whether a learner may study a course's content on the host (P-17, P-31).

A watch session earns a completion, learning time and the host's `BlockCompletion`, so it is
issued only to someone the host lets into the course: an active enrolment
(`CourseEnrollment.is_enrolled`, the platform's classmethod taking a `CourseKey`), course
staff or instructor (`CourseAccessRole`, through `host.roles`), or global staff. A learning
context that is not a course (a content library, `lib:`) has no enrolment: only staff.

`get_access_adapter()` returns the platform adapter inside the LMS and an in-memory fake on
the standalone site and in tests (`ELEARN_HOST_ADAPTERS`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host.adapters import FAKE, adapter_kind

# The stand-in course of the standalone site's XBlock workbench: its scenarios belong to no
# course and the workbench has no enrolment, so every signed-in user is in it (fake only).
STANDALONE_COURSE = "course-v1:elearn+devsite+run"


class AccessAdapter(Protocol):
    def has_course_access(self, user, course_key: str) -> bool: ...


def _signed_in(user) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", True)
    )


def _course_key(course_key: object) -> CourseKey | None:
    """The course key, or None for another learning context (a library) or garbage."""
    if isinstance(course_key, CourseKey):
        return course_key
    try:
        return CourseKey.from_string(str(course_key))
    except InvalidKeyError:
        return None


def _is_staff(user, course_key: str) -> bool:
    from elearn_plugin.host.roles import course_staff  # noqa: PLC0415

    if user.is_staff or user.is_superuser:
        return True
    return str(course_key) in course_staff(user)


class PlatformAccessAdapter:
    """The host's enrolment and course roles."""

    def has_course_access(self, user, course_key: str) -> bool:
        if not _signed_in(user):
            return False
        key = _course_key(course_key)
        if _is_staff(user, str(key or course_key)):
            return True
        if key is None:
            return False
        # The platform's modules exist only inside the LMS: imported here, not at module level.
        from common.djangoapps.student.models import CourseEnrollment  # noqa: PLC0415

        return bool(CourseEnrollment.is_enrolled(user, key))


class FakeAccessAdapter:
    """Standalone site and tests: a registry of enrolments, plus the workbench's course.

    Enrolments made through the fake enrolment adapter (`host.enrollment`) count too.
    """

    _registry: dict[int, set[str]] = defaultdict(set)

    def has_course_access(self, user, course_key: str) -> bool:
        if not _signed_in(user):
            return False
        key = str(course_key)
        if key == STANDALONE_COURSE or _is_staff(user, key):
            return True
        if key in self._registry.get(user.pk, ()):
            return True
        from elearn_plugin.host import enrollment  # noqa: PLC0415

        enrolments = enrollment.get_enrollment_adapter()
        return isinstance(enrolments, enrollment.FakeEnrollmentAdapter) and (
            (key, user.get_username()) in enrolments.enrolments
        )

    @classmethod
    def enrol(cls, user_id: int, course_key: str) -> None:
        cls._registry[user_id].add(str(course_key))

    @classmethod
    def unenrol(cls, user_id: int, course_key: str) -> None:
        cls._registry[user_id].discard(str(course_key))

    @classmethod
    def clear(cls) -> None:
        cls._registry.clear()


def get_access_adapter() -> AccessAdapter:
    """The adapter for the configured host (`ELEARN_HOST_ADAPTERS`)."""
    return FakeAccessAdapter() if adapter_kind() == FAKE else PlatformAccessAdapter()


def has_course_access(user, course_key: str) -> bool:
    """True when the host lets `user` study the content of `course_key`."""
    return get_access_adapter().has_course_access(user, course_key)
