"""Which course keys the host knows (Open edX `CourseOverview`), behind a small adapter.

The integrity check after a restore asks it about course keys that plugin rows name but
that have no `CoursePolicy`: a course under review or holding tracked videos may exist in
the host before HR gives it a policy. `get_catalogue_adapter()` returns the platform adapter
inside the LMS/Studio and an in-memory fake standalone (`ELEARN_HOST_ADAPTERS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from elearn_plugin.host.adapters import PLATFORM, adapter_kind

LOOKUP_CHUNK = 1000


class CatalogueAdapter(Protocol):
    def existing(self, course_keys: Iterable[str]) -> set[str]:
        """The keys among `course_keys` that name a course the host has."""


class PlatformCatalogueAdapter:
    """Reads the host's course overviews, one query per thousand keys."""

    def existing(self, course_keys: Iterable[str]) -> set[str]:
        from opaque_keys import InvalidKeyError  # noqa: PLC0415
        from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415
        from openedx.core.djangoapps.content.course_overviews.models import (  # noqa: PLC0415
            CourseOverview,
        )

        parsed = []
        for key in set(course_keys):
            try:
                parsed.append(CourseKey.from_string(str(key)))
            except InvalidKeyError:
                continue  # not a course key: the host cannot have it
        found: set[str] = set()
        for start in range(0, len(parsed), LOOKUP_CHUNK):
            chunk = parsed[start : start + LOOKUP_CHUNK]
            ids = CourseOverview.objects.filter(id__in=chunk).values_list("id", flat=True)
            found.update(str(value) for value in ids)
        return found


class FakeCatalogueAdapter:
    """An in-memory list of courses for the standalone site and tests."""

    _known: set[str] = set()

    def existing(self, course_keys: Iterable[str]) -> set[str]:
        return {str(key) for key in course_keys} & self._known

    @classmethod
    def register(cls, course_key: str) -> None:
        cls._known.add(str(course_key))

    @classmethod
    def clear(cls) -> None:
        cls._known.clear()


def get_catalogue_adapter() -> CatalogueAdapter:
    if adapter_kind() == PLATFORM:
        return PlatformCatalogueAdapter()
    return FakeCatalogueAdapter()
