"""Enrolling learners in a course on the host (P-14: assigned courses appear in their dashboard).

The plugin runs inside the LMS and its Celery workers, so the Open edX adapter calls the
platform's Python enrolment API (`CourseEnrollment.enroll`) in process: no REST call, no
service user, no OAuth2 secret. The platform's module is imported only when enrolling, so the
plugin imports (and the standalone site runs, with the fake adapter) without the platform.
Usernames are personal data: logs get counts and the course key, never a username (P-32).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth import get_user_model
from django.db import transaction
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.conf import setting
from elearn_plugin.core.batching import chunked
from elearn_plugin.host.adapters import FAKE, adapter_kind

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 100


class EnrollmentError(RuntimeError):
    """The host refused the whole request (the course does not exist).

    `partial` holds what was done before the refusal, so the caller can record it.
    """

    def __init__(self, message: str, partial: EnrollResult | None = None) -> None:
        super().__init__(message)
        self.partial = partial or EnrollResult()


@dataclass
class EnrollResult:
    """Per-username outcome. `enrolled` are new enrolments; a repeat lands in `already`."""

    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def merge(self, other: EnrollResult) -> None:
        self.enrolled += other.enrolled
        self.already += other.already
        self.invalid += other.invalid
        self.failed += other.failed

    @property
    def ok(self) -> bool:
        return not self.invalid and not self.failed


class EnrollmentAdapter(Protocol):
    def bulk_enroll(self, course_key: str, usernames: Sequence[str]) -> EnrollResult: ...


def _checked(course_key: object, usernames: Iterable[str]) -> tuple[str, list[str]]:
    """The canonical course key and the usernames, stripped and without repeats, in order.

    Refused before anything is looked up, so a caller's mistake (one comma-separated string,
    a blank cell of an import) enrols nobody instead of some.
    """
    try:
        key = str(CourseKey.from_string(str(course_key)))
    except InvalidKeyError:
        raise ValueError(f"Not a course key: {str(course_key)[:120]!r}")
    if isinstance(usernames, str):
        raise ValueError("usernames must be a list of usernames, not one string")
    names: list[str] = []
    seen: set[str] = set()
    for name in usernames:
        if not isinstance(name, str) or not name.strip() or "," in name:
            raise ValueError("every username must be a non-empty string without commas")
        name = name.strip()
        if name not in seen:  # after stripping, so " a" and "a" are one learner
            seen.add(name)
            names.append(name)
    return key, names


class PlatformEnrollmentAdapter:
    """Enrolment through the platform's Python API, in the LMS or Celery worker process.

    The plugin runs inside the LMS, so it calls `CourseEnrollment.enroll` directly: no REST
    round trip, no service user and no OAuth2 secret to keep. The platform has no Python
    bulk-enrol function (its bulk REST view loops over learners), so this adapter does the
    bulk part itself, one chunk of `ELEARN_ENROLL_CHUNK_SIZE` usernames at a time:

    - one query finds the chunk's users (a username without an account → `invalid`);
    - one query finds who is already actively enrolled (→ `already`, no `enroll` call), so a
      re-run of an assignment costs two queries per chunk and sends no enrolment events again;
    - every other learner is enrolled with `check_access=True, can_upgrade=True`, as the
      platform's own `add_enrollment(..., force_enrollment=True)` does: an HR assignment is an
      administrative enrolment that ignores the enrolment dates but not a full course. Each
      call runs in its own savepoint, so one refusal rolls back only that learner's writes.

    An account whose Django `is_active` is False lands in `failed` without an `enroll` call:
    it cannot sign in (a disabled account or one being retired), and enrolling it would only
    add personal data for someone who cannot study. HR sees it among the failures; a run after
    the account is active again enrols it. Suspended and revoked learners (P-22, P-23) keep an
    active account and a block row, so they are enrolled and see the course when they return.

    Exceptions other than the platform's enrolment exceptions (a database error, a broken
    receiver) propagate unchanged: what was enrolled before stays enrolled and a re-run
    reports it as `already`.
    """

    @staticmethod
    def _chunk_size() -> int:
        return max(1, int(setting("ELEARN_ENROLL_CHUNK_SIZE")))

    def bulk_enroll(self, course_key: str, usernames: Sequence[str]) -> EnrollResult:
        """Enrol usernames in chunks; raises EnrollmentError with the partial result."""
        key, names = _checked(course_key, usernames)
        course = CourseKey.from_string(key)
        total = EnrollResult()
        try:
            for chunk in chunked(names, self._chunk_size()):
                self._enroll_chunk(course, chunk, total)
        finally:
            # Counts and the course key only: usernames are personal data (P-32).
            log.info(
                "Enrolment in %s: %d new, %d already, %d invalid, %d failed of %d",
                key,
                len(total.enrolled),
                len(total.already),
                len(total.invalid),
                len(total.failed),
                len(names),
            )
        return total

    @staticmethod
    def _enroll_chunk(course: CourseKey, chunk: list[str], total: EnrollResult) -> None:
        """Enrol one chunk, adding each outcome to `total` as it happens (the partial result)."""
        # The platform's modules exist only inside the LMS: imported here, not at module level.
        from common.djangoapps.student.models import (  # noqa: PLC0415
            AlreadyEnrolledError,
            CourseEnrollment,
            CourseEnrollmentException,
            NonExistentCourseError,
        )

        users = _users_by_name(chunk)
        enrolled_ids = set(
            CourseEnrollment.objects.filter(
                course_id=course, user_id__in=[user.pk for user in users.values()], is_active=True
            ).values_list("user_id", flat=True)
        )
        for name in chunk:
            user = users.get(name)
            if user is None:
                total.invalid.append(name)
            elif user.pk in enrolled_ids:
                total.already.append(name)
            elif not user.is_active:
                total.failed.append(name)
            else:
                try:
                    with transaction.atomic():
                        CourseEnrollment.enroll(user, course, check_access=True, can_upgrade=True)
                except AlreadyEnrolledError:
                    total.already.append(name)  # enrolled by someone else since the query
                except NonExistentCourseError:
                    raise EnrollmentError(f"The course {course} does not exist.", partial=total)
                except CourseEnrollmentException:
                    # Full course, closed enrolment, or a CourseEnrollmentStarted step refused.
                    total.failed.append(name)
                else:
                    total.enrolled.append(name)


def _users_by_name(chunk: list[str]) -> dict:
    """The chunk's accounts in one query, keyed by the username as given.

    MySQL's default collation compares usernames without case, so the database may answer
    "Learner01" for "learner01": such an answer is used when it is the only one for the name.
    """
    found = list(get_user_model().objects.filter(username__in=chunk))
    exact = {user.username: user for user in found}
    folded: dict[str, list] = {}
    for user in found:
        folded.setdefault(user.username.casefold(), []).append(user)
    users = {}
    for name in chunk:
        if name in exact:
            users[name] = exact[name]
        elif len(folded.get(name.casefold(), ())) == 1:
            users[name] = folded[name.casefold()][0]
    return users


@dataclass
class FakeEnrollmentAdapter:
    """Standalone site and tests: records calls and remembers enrolments."""

    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    enrolments: set[tuple[str, str]] = field(default_factory=set)

    def bulk_enroll(self, course_key: str, usernames: Sequence[str]) -> EnrollResult:
        key, names = _checked(course_key, usernames)
        self.calls.append((key, tuple(names)))
        result = EnrollResult()
        for name in names:
            if (key, name) in self.enrolments:
                result.already.append(name)
            else:
                self.enrolments.add((key, name))
                result.enrolled.append(name)
        return result

    def clear(self) -> None:
        self.calls.clear()
        self.enrolments.clear()


_FAKE = FakeEnrollmentAdapter()


def get_enrollment_adapter() -> EnrollmentAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformEnrollmentAdapter()
