"""The host's persisted course grades, read in bulk by the completion catch-up (P-17).

A passing-status event can be lost (a worker dies, a receiver was not connected yet, the event
bus drops it); the platform's persisted course grade is the record it came from, so the
catch-up reads the grades changed since its watermark and records what the events missed.

What the platform keeps (openedx-platform, read for this adapter):
- `lms/djangoapps/grades/models.py` `PersistentCourseGrade(TimeStampedModel)`: one row per
  (`course_id`, `user_id`), with `percent_grade`, `letter_grade`, `passed_timestamp` and
  `created`/`modified`, indexed on (`modified`, `course_id`). `update_or_create` sets
  `passed_timestamp` the first time the grade passes and never clears it.
- `lms/djangoapps/grades/course_grade_factory.py`: `_read` takes `letter_grade != ""` as
  passing; `_update` persists only an attempted grade, then sends `COURSE_GRADE_NOW_PASSED`
  or `COURSE_GRADE_NOW_FAILED` on every update, which `events.py` turns into
  `COURSE_PASSING_STATUS_UPDATED`.
- The persistent-grades flags (`PersistentGradesEnabledFlag`, `CoursePersistentGradesFlag`
  in `lms/djangoapps/grades/config/models.py`) were removed in Olive (openedx-platform PR
  #30978): grades are always persisted since. Where the flag model still exists and is off,
  `persistence()` says so; the health report and `elearn_check_policy` show it.

`get_grades_adapter()` returns the platform reader inside the LMS and an in-memory fake on the
standalone site and in tests (`ELEARN_HOST_ADAPTERS`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host.adapters import FAKE, adapter_kind

# Reasons of `Persistence`.
PERSISTED = "persisted"
FLAG_OFF = "flag_off"
NO_GRADES_APP = "no_grades_app"
GRADES_APP = "lms.djangoapps.grades"


@dataclass(frozen=True)
class Persistence:
    """Whether this service's host persists course grades the catch-up can read.

    `enabled` is None where the host has no grades app (Studio): nothing to read there, and
    nothing wrong either.
    """

    enabled: bool | None
    reason: str

    def as_dict(self) -> dict:
        return {"enabled": self.enabled, "reason": self.reason}


@dataclass(frozen=True)
class PersistedGrade:
    """One learner's persisted grade in one course, as the catch-up needs it (ids only)."""

    grade_id: int
    user_id: int
    course_key: str
    passing: bool
    passed_at: datetime | None
    modified: datetime

    @property
    def position(self) -> tuple[datetime, int]:
        """Where the catch-up's watermark stands after this row."""
        return (self.modified, self.grade_id)


Position = tuple[datetime, int]


class GradesAdapter(Protocol):
    def persistence(self) -> Persistence: ...

    def changed_since(
        self, after: Position | None, course_keys: Collection[str], limit: int
    ) -> list[PersistedGrade]: ...


def _course_keys(course_keys: Collection[str]) -> list[CourseKey]:
    keys = []
    for value in course_keys:
        try:
            keys.append(CourseKey.from_string(str(value)))
        except InvalidKeyError:
            raise ValueError(f"Not a course key: {str(value)[:120]!r}")
    return keys


def _check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("limit must be a positive integer")
    return limit


class PlatformGradesAdapter:
    """The LMS's `PersistentCourseGrade` table, read in keyset pages of (modified, id)."""

    def persistence(self) -> Persistence:
        from django.apps import apps  # noqa: PLC0415

        if not apps.is_installed(GRADES_APP):
            return Persistence(None, NO_GRADES_APP)
        try:
            from lms.djangoapps.grades.config.models import (  # noqa: PLC0415
                PersistentGradesEnabledFlag,
            )
        except ImportError:
            return Persistence(True, PERSISTED)  # Olive and later: always persisted
        current = PersistentGradesEnabledFlag.current()
        if current.enabled and getattr(current, "enabled_for_all_courses", False):
            return Persistence(True, PERSISTED)
        return Persistence(False, FLAG_OFF)

    def changed_since(
        self, after: Position | None, course_keys: Collection[str], limit: int
    ) -> list[PersistedGrade]:
        """Grades of these courses modified after `after`, oldest first, at most `limit`."""
        from django.db.models import Q  # noqa: PLC0415
        from lms.djangoapps.grades.models import PersistentCourseGrade  # noqa: PLC0415

        keys = _course_keys(course_keys)
        limit = _check_limit(limit)
        if not keys:
            return []
        rows = PersistentCourseGrade.objects.filter(course_id__in=keys)
        if after is not None:
            modified, grade_id = after
            rows = rows.filter(Q(modified__gt=modified) | Q(modified=modified, id__gt=grade_id))
        values = rows.order_by("modified", "id").values_list(
            "id", "user_id", "course_id", "letter_grade", "passed_timestamp", "modified"
        )[:limit]
        return [
            PersistedGrade(
                grade_id=grade_id,
                user_id=user_id,
                course_key=str(course_id),
                passing=bool(letter_grade),
                passed_at=passed_timestamp,
                modified=modified,
            )
            for grade_id, user_id, course_id, letter_grade, passed_timestamp, modified in values
        ]


class FakeGradesAdapter:
    """Standalone site and tests: persisted grades in memory, written like the platform's.

    `record` behaves as `PersistentCourseGrade.update_or_create`: the first passing grade
    sets `passed_at`, which a later failing grade keeps; every write moves `modified`.
    """

    def __init__(self) -> None:
        self._grades: dict[tuple[int, str], PersistedGrade] = {}
        self._ids = itertools.count(1)
        self.enabled = True

    def record(
        self, user_id: int, course_key: str, *, passing: bool, when: datetime | None = None
    ) -> PersistedGrade:
        key = str(_course_keys([course_key])[0])
        when = when or timezone.now()
        old = self._grades.get((user_id, key))
        passed_at = old.passed_at if old else None
        if passing and passed_at is None:
            passed_at = when
        if old is None:
            grade = PersistedGrade(next(self._ids), user_id, key, passing, passed_at, when)
        else:
            grade = replace(old, passing=passing, passed_at=passed_at, modified=when)
        self._grades[(user_id, key)] = grade
        return grade

    def persistence(self) -> Persistence:
        return Persistence(True, PERSISTED) if self.enabled else Persistence(False, FLAG_OFF)

    def changed_since(
        self, after: Position | None, course_keys: Collection[str], limit: int
    ) -> list[PersistedGrade]:
        keys = {str(key) for key in _course_keys(course_keys)}
        limit = _check_limit(limit)
        rows = sorted(
            (g for g in self._grades.values() if g.course_key in keys),
            key=lambda g: g.position,
        )
        if after is not None:
            rows = [g for g in rows if g.position > tuple(after)]
        return rows[:limit]

    def clear(self) -> None:
        self._grades.clear()
        self.enabled = True


_FAKE = FakeGradesAdapter()


def get_grades_adapter() -> GradesAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformGradesAdapter()


def persistence() -> Persistence:
    """Whether the host persists course grades here (for the health report and checks)."""
    return get_grades_adapter().persistence()
