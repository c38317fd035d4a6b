"""Stand-in of openedx-platform `common/djangoapps/student/models/course_enrollment.py`.

Written from the platform's behaviour (no code copied): the `CourseEnrollment` rows (user,
course, mode, active) in the app labelled `student` that the plugin and edx-completion read,
the enrolment exceptions with the platform's names and hierarchy, and `CourseEnrollment.enroll`
doing what the platform's does, in the same order:

1. runs the real openedx-filters `CourseEnrollmentStarted` pipeline; a step's
   `PreventEnrollment` becomes `EnrollmentNotAllowed`;
2. no mode → the course's default mode;
3. no course overview → `NonExistentCourseError`, only with `check_access`;
4. with `check_access`: `EnrollmentClosedError` unless `can_upgrade`, `CourseFullError` when
   the course is full;
5. already actively enrolled → `AlreadyEnrolledError` only with `check_access`; otherwise the
   enrolment is done again and the enrolment-created event sent again;
6. creates or reactivates the row and returns it.

Course overviews are stood in for by `COURSES`, filled by tests with `register_course`. Like
the platform, the warnings name the learner unless `SQUELCH_PII_IN_LOGS` is set (the LMS's
common settings set it; its test settings do not).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField
from openedx_events.learning.data import (
    CourseData,
    CourseEnrollmentData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED
from openedx_filters.learning.filters import CourseEnrollmentStarted

log = logging.getLogger(__name__)

DEFAULT_MODE = "audit"

# course key (str) -> {"enrollment_open": bool, "max_students": int | None, "default_mode": str}
COURSES: dict[str, dict] = {}


def register_course(
    course_key,
    *,
    enrollment_open: bool = True,
    max_students: int | None = None,
    default_mode: str = DEFAULT_MODE,
    display_name: str = "",
) -> None:
    """Make a course exist for `enroll` (the platform's CourseOverview row)."""
    COURSES[str(course_key)] = {
        "enrollment_open": enrollment_open,
        "max_students": max_students,
        "default_mode": default_mode,
        "display_name": display_name,
    }


def clear_courses() -> None:
    COURSES.clear()


class CourseEnrollmentException(Exception):
    pass


class NonExistentCourseError(CourseEnrollmentException):
    pass


class EnrollmentClosedError(CourseEnrollmentException):
    pass


class CourseFullError(CourseEnrollmentException):
    pass


class AlreadyEnrolledError(CourseEnrollmentException):
    pass


class EnrollmentNotAllowed(CourseEnrollmentException):
    pass


def _who(user) -> object:
    """How the platform names a learner in its logs."""
    return user.id if getattr(settings, "SQUELCH_PII_IN_LOGS", False) else user.username


class CourseEnrollment(models.Model):
    """One learner's enrolment in one course (the platform keys the course by `course_id`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = models.CharField(max_length=255, db_index=True)
    created = models.DateTimeField(auto_now_add=True, null=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(default=DEFAULT_MODE, max_length=100)

    class Meta:
        app_label = "student"
        unique_together = (("user", "course_id"),)

    def __str__(self) -> str:
        return f"{self.course_id} ({self.mode})"

    @classmethod
    def is_enrolled(cls, user, course_key) -> bool:
        """An active row exists for the user in the course."""
        return cls.objects.filter(user=user, course_id=str(course_key), is_active=True).exists()

    @classmethod
    def is_course_full(cls, course_key) -> bool:
        course = COURSES[str(course_key)]
        limit = course["max_students"]
        if limit is None:
            return False
        return cls.objects.filter(course_id=str(course_key), is_active=True).count() >= limit

    @classmethod
    def enroll(
        cls,
        user,
        course_key,
        mode=None,
        check_access=False,
        can_upgrade=False,
        enterprise_uuid=None,
    ):
        """Enrol `user` in `course_key` (a CourseKey), steps 1-6 of the module docstring."""
        try:
            user, course_key, mode = CourseEnrollmentStarted.run_filter(
                user=user, course_key=course_key, mode=mode
            )
        except CourseEnrollmentStarted.PreventEnrollment as exc:
            raise EnrollmentNotAllowed(str(exc)) from exc

        course = COURSES.get(str(course_key))
        if mode is None:
            mode = (course or {}).get("default_mode", DEFAULT_MODE)
        if course is None and check_access:
            log.warning(
                "User %s failed to enroll in non-existent course %s", _who(user), course_key
            )
            raise NonExistentCourseError

        if check_access:
            if not course["enrollment_open"] and not can_upgrade:
                log.warning(
                    "User %s failed to enroll in course %s because enrollment is closed.",
                    _who(user),
                    course_key,
                )
                raise EnrollmentClosedError
            if cls.is_course_full(course_key):
                log.warning(
                    "Course %s has reached its maximum enrollment of %d learners. "
                    "User %s failed to enroll.",
                    course_key,
                    course["max_students"],
                    _who(user),
                )
                raise CourseFullError

        if cls.is_enrolled(user, course_key):
            log.warning(
                "User %s attempted to enroll in %s, but they were already enrolled",
                _who(user),
                course_key,
            )
            if check_access:
                raise AlreadyEnrolledError

        enrollment, _created = cls.objects.get_or_create(
            user=user,
            course_id=str(course_key),
            defaults={"mode": DEFAULT_MODE, "is_active": False},
        )
        if not enrollment.is_active or enrollment.mode != mode:
            enrollment.is_active = True
            enrollment.mode = mode
            enrollment.save(update_fields=["is_active", "mode"])

        profile = getattr(user, "profile", None)
        COURSE_ENROLLMENT_CREATED.send_event(
            enrollment=CourseEnrollmentData(
                user=UserData(
                    pii=UserPersonalData(
                        username=user.username,
                        email=user.email,
                        name=getattr(profile, "name", "") or "",
                    ),
                    id=user.id,
                    is_active=user.is_active,
                ),
                course=CourseData(
                    course_key=course_key,
                    display_name=(course or {}).get("display_name", ""),
                ),
                mode=enrollment.mode,
                is_active=enrollment.is_active,
                creation_date=enrollment.created,
            )
        )
        return enrollment


class CourseAccessRole(models.Model):
    """Stand-in of `CourseAccessRole` in openedx-platform `common/djangoapps/student/models/
    user.py`: who holds which role ("staff", "instructor", ...) in a course or an org. A blank
    `course_id` is an org-wide role; the platform keys the course with a `CourseKeyField`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    org = models.CharField(max_length=64, db_index=True, blank=True)
    course_id = CourseKeyField(max_length=255, db_index=True, blank=True)
    role = models.CharField(max_length=64, db_index=True)

    class Meta:
        app_label = "student"
        unique_together = ("user", "org", "course_id", "role")

    def __str__(self) -> str:
        return f"{self.role} of {self.course_id or self.org}"
