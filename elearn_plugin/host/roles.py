"""Course roles held in the host (Open edX `CourseAccessRole`), behind a small adapter.

`get_roles_adapter()` returns the platform adapter inside the LMS/Studio and an in-memory fake
standalone; the choice is `settings.ELEARN_HOST_ADAPTERS` ("platform" | "fake"), read at call
time through `host.adapters.adapter_kind()`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from elearn_plugin.host.adapters import PLATFORM, adapter_kind

# Host course roles that make a user staff of a course (mapping in ADR 0003).
COURSE_STAFF_ROLES = ("staff", "instructor")


class RolesAdapter(Protocol):
    def course_staff(self, user) -> set[str]:
        """Course keys (as strings) where the user is staff or instructor."""

    def team_of(self, course_key: str) -> list[tuple[int, str]]:
        """(user id, role) of the course's staff and instructors, for the course record."""


class PlatformRolesAdapter:
    """Reads the host's `CourseAccessRole` rows."""

    def course_staff(self, user) -> set[str]:
        if user is None or not getattr(user, "is_authenticated", False):
            return set()
        from common.djangoapps.student.models import CourseAccessRole  # noqa: PLC0415

        keys = CourseAccessRole.objects.filter(
            user_id=user.pk, role__in=COURSE_STAFF_ROLES
        ).values_list("course_id", flat=True)
        return {str(key) for key in keys if key}

    def team_of(self, course_key: str) -> list[tuple[int, str]]:
        from common.djangoapps.student.models import CourseAccessRole  # noqa: PLC0415
        from opaque_keys import InvalidKeyError  # noqa: PLC0415
        from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415

        try:
            key = CourseKey.from_string(str(course_key))
        except InvalidKeyError:
            return []
        rows = CourseAccessRole.objects.filter(course_id=key, role__in=COURSE_STAFF_ROLES)
        return sorted(rows.values_list("user_id", "role"))


def _announce(user_id: int) -> None:
    """What the platform's CourseAccessRole save/delete signal does: cached roles are stale."""
    from elearn_plugin.permissions.role_facts import invalidate_roles  # noqa: PLC0415

    invalidate_roles([user_id])


class FakeRolesAdapter:
    """An in-memory registry for the standalone site and tests."""

    _registry: dict[int, set[str]] = defaultdict(set)

    def course_staff(self, user) -> set[str]:
        if user is None or not getattr(user, "is_authenticated", False):
            return set()
        return set(self._registry.get(user.pk, set()))

    def team_of(self, course_key: str) -> list[tuple[int, str]]:
        key = str(course_key)
        return sorted((uid, "staff") for uid, keys in self._registry.items() if key in keys)

    @classmethod
    def grant(cls, user_id: int, course_key: str) -> None:
        cls._registry[user_id].add(str(course_key))
        _announce(user_id)

    @classmethod
    def revoke(cls, user_id: int, course_key: str) -> None:
        cls._registry[user_id].discard(str(course_key))
        _announce(user_id)

    @classmethod
    def clear(cls) -> None:
        cls._registry.clear()


def get_roles_adapter() -> RolesAdapter:
    """The adapter for the configured host (`ELEARN_HOST_ADAPTERS`)."""
    if adapter_kind() == PLATFORM:
        return PlatformRolesAdapter()
    return FakeRolesAdapter()


def course_staff(user) -> set[str]:
    """Course keys where the user is staff or instructor in the host."""
    return get_roles_adapter().course_staff(user)


def course_team(course_key: str) -> list[tuple[int, str]]:
    """(user id, role) of who runs the course in the host (P-11's course record)."""
    return get_roles_adapter().team_of(course_key)
