"""Which blocks a course contains, e.g. every tracked video a completion needs (P-17)."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Protocol

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.host.access import STANDALONE_COURSE
from elearn_plugin.host.adapters import FAKE, adapter_kind

log = logging.getLogger(__name__)

# The block type of the tracked video (the `xblock.v1` entry point in setup.cfg).
TRACKED_VIDEO_TYPE = "elearn_video"
# The authored fields of a tracked video that the server keeps (TrackedVideo rows).
TRACKED_VIDEO_FIELDS = ("display_name", "duration", "max_playback_rate", "credited_seconds")


class StructureAdapter(Protocol):
    def blocks_of_type(self, course_key: str, block_type: str) -> list[str]: ...

    def tracked_videos(self, course_key: str) -> list[dict]: ...

    def ungated_units(self, course_key: str) -> list[str]: ...


GATE_TYPE = "elearn_approval"


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


def _plain_location(location: object) -> str:
    """The usage key as the LMS spells it: no branch, no version (what a block's keys() give)."""
    if hasattr(location, "for_branch"):
        location = location.for_branch(None)
    if hasattr(location, "version_agnostic"):
        location = location.version_agnostic()
    return str(location)


class PlatformStructureAdapter:
    """The modulestore: the published blocks of a category, orphans excluded."""

    def _published(self, course_key: str, category: str) -> list:
        key = _course_key(course_key)
        from xmodule.modulestore import ModuleStoreEnum  # noqa: PLC0415
        from xmodule.modulestore.django import modulestore  # noqa: PLC0415

        return list(
            modulestore().get_items(
                key,
                qualifiers={"category": category},
                revision=ModuleStoreEnum.RevisionOption.published_only,
                include_orphans=False,
            )
        )

    def blocks_of_type(self, course_key: str, block_type: str) -> list[str]:
        category = _block_type(block_type)
        return sorted(
            _plain_location(item.location) for item in self._published(course_key, category)
        )

    def ungated_units(self, course_key: str) -> list[str]:
        """Published units holding content outside an approval gate (the child keys name
        their type: no child is loaded)."""
        return sorted(
            _plain_location(item.location)
            for item in self._published(course_key, "vertical")
            if any(
                getattr(child, "block_type", GATE_TYPE) != GATE_TYPE
                for child in (getattr(item, "children", None) or [])
            )
        )

    def tracked_videos(self, course_key: str) -> list[dict]:
        """The published tracked videos with their authored fields (None for an absent one)."""
        videos = [
            {
                "block_key": _plain_location(item.location),
                **{name: getattr(item, name, None) for name in TRACKED_VIDEO_FIELDS},
            }
            for item in self._published(course_key, TRACKED_VIDEO_TYPE)
            if not _behind_a_closed_gate(item)
        ]
        return sorted(videos, key=lambda video: video["block_key"])


def _behind_a_closed_gate(block) -> bool:
    """A video inside an `elearn_approval` gate whose content is not approved is not part of
    the course yet (P-10, P-17): learners cannot see it, so it is not theirs to watch. An
    approval schedules a rescan of the course (`review.services`)."""
    from elearn_plugin.review.filters import closed_gate  # noqa: PLC0415

    return closed_gate(block, None) is not None


def _workbench_tracked_videos() -> list[str]:
    """The block keys of the tracked videos in the XBlock workbench's scenarios.

    The standalone site has no modulestore: its course (`STANDALONE_COURSE`, where every
    workbench block lives) is what the workbench shows. Empty without the workbench app.
    """
    from django.apps import apps  # noqa: PLC0415

    if not apps.is_installed("workbench"):
        return []
    try:
        from workbench.runtime import WorkbenchRuntime  # noqa: PLC0415
        from workbench.scenarios import get_scenarios  # noqa: PLC0415

        runtime = WorkbenchRuntime()
        found: set[str] = set()
        for scenario in list(get_scenarios().values()):
            pending = [scenario.usage_id]
            while pending:
                block = runtime.get_block(pending.pop())
                if block.scope_ids.block_type == TRACKED_VIDEO_TYPE:
                    if not _behind_a_closed_gate(block):
                        found.add(block.keys()[1])
                pending.extend(getattr(block, "children", None) or [])
        return sorted(found)
    except Exception:  # noqa: BLE001 - the standalone site's course is then empty
        log.exception("The workbench's scenarios could not be read")
        return []


class FakeStructureAdapter:
    """Standalone site and tests: an in-memory registry that the demo and tests fill.

    The standalone site's own course, while nothing is registered for it, has the tracked
    videos of the XBlock workbench's scenarios.
    """

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._videos: dict[str, dict[str, dict]] = defaultdict(dict)
        self._ungated: dict[str, list[str]] = {}

    def register(self, course_key: str, block_type: str, block_ids: list[str]) -> None:
        key = str(_course_key(course_key))
        self._blocks[(key, _block_type(block_type))].update(block_ids)

    def register_tracked_video(
        self,
        course_key: str,
        block_key: str,
        *,
        duration: object,
        max_playback_rate: object = 1.0,
        display_name: object = "",
        credited_seconds: object = 0,
    ) -> None:
        """Add (or replace the fields of) a published tracked video of a course."""
        key = str(_course_key(course_key))
        self._videos[key][str(block_key)] = {
            "block_key": str(block_key),
            "display_name": display_name,
            "duration": duration,
            "max_playback_rate": max_playback_rate,
            "credited_seconds": credited_seconds,
        }
        self._blocks[(key, TRACKED_VIDEO_TYPE)].add(str(block_key))

    def register_ungated(self, course_key: str, unit_keys: list[str]) -> None:
        """Tests: the course's published units with content outside a gate."""
        self._ungated[str(_course_key(course_key))] = sorted(unit_keys)

    def ungated_units(self, course_key: str) -> list[str]:
        return list(self._ungated.get(str(_course_key(course_key)), []))

    def clear(self) -> None:
        self._blocks.clear()
        self._videos.clear()
        self._ungated.clear()

    def blocks_of_type(self, course_key: str, block_type: str) -> list[str]:
        key = str(_course_key(course_key))
        category = _block_type(block_type)
        if (key, category) in self._blocks:
            return sorted(self._blocks[(key, category)])
        if key == STANDALONE_COURSE and category == TRACKED_VIDEO_TYPE:
            return _workbench_tracked_videos()
        return []

    def tracked_videos(self, course_key: str) -> list[dict]:
        key = str(_course_key(course_key))
        videos = self._videos.get(key, {})
        return [dict(videos[block_key]) for block_key in sorted(videos)]


_FAKE = FakeStructureAdapter()


def get_structure_adapter() -> StructureAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformStructureAdapter()
