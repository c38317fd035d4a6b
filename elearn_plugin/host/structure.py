"""Which blocks a course contains, e.g. every tracked video a completion needs (P-17)."""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host.adapters import FAKE, adapter_kind


class StructureAdapter(Protocol):
    def blocks_of_type(self, course_key: str, block_type: str) -> list[str]: ...


def _course_key(course_key: object) -> CourseKey:
    if isinstance(course_key, CourseKey):
        return course_key
    try:
        return CourseKey.from_string(str(course_key))
    except InvalidKeyError:
        raise ValueError(f"Not a course key: {str(course_key)[:120]!r}")


def _block_type(block_type: object) -> str:
    if not isinstance(block_type, str) or not block_type.strip():
        raise ValueError("block_type must be a non-empty string")
    return block_type.strip()


class PlatformStructureAdapter:
    """The LMS modulestore: the published blocks of a category, orphans excluded."""

    def blocks_of_type(self, course_key: str, block_type: str) -> list[str]:
        key = _course_key(course_key)
        category = _block_type(block_type)
        from xmodule.modulestore import ModuleStoreEnum  # noqa: PLC0415
        from xmodule.modulestore.django import modulestore  # noqa: PLC0415

        items = modulestore().get_items(
            key,
            qualifiers={"category": category},
            revision=ModuleStoreEnum.RevisionOption.published_only,
            include_orphans=False,
        )
        return sorted(str(item.location) for item in items)


class FakeStructureAdapter:
    """Standalone site and tests: an in-memory registry that the demo and tests fill."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], set[str]] = defaultdict(set)

    def register(self, course_key: str, block_type: str, block_ids: list[str]) -> None:
        key = str(_course_key(course_key))
        self._blocks[(key, _block_type(block_type))].update(block_ids)

    def clear(self) -> None:
        self._blocks.clear()

    def blocks_of_type(self, course_key: str, block_type: str) -> list[str]:
        key = str(_course_key(course_key))
        return sorted(self._blocks.get((key, _block_type(block_type)), ()))


_FAKE = FakeStructureAdapter()


def get_structure_adapter() -> StructureAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformStructureAdapter()
