"""Which blocks of a course one learner can see, as the LMS shows the course to them (P-17).

A course completes when every tracked video the learner *can see* is watched: a staff-only
unit, a content group (cohort) they are not in, or a split-test branch they were not given
does not count. The LMS decides that per learner with its course blocks API (openedx-platform
`lms/djangoapps/course_blocks/api.py`): `get_course_blocks(user, starting_block_usage_key,
transformers=None, collected_block_structure=None, allow_start_dates_in_future=False, ...)`
runs the access transformers (library content, start dates, content type gating, user
partitions, visibility, date overrides) and returns a block structure whose
`get_block_keys()` are the blocks that user can access. A partition that explains its denial
(an enrollment track, content type gating) keeps the block for a locked placeholder and sets
its field `authorization_denial_reason`: such a video cannot be watched, so it does not count.

This adapter asks with `allow_start_dates_in_future=True`: a section that is not released yet
still counts (a course is not complete while part of it is still to come); only who the learner
is, not when they ask, hides a video.

It is one block-structure read per learner: the service asks only for passing learners who
have not completed every tracked video of the course, in chunks.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from typing import Protocol

from django.contrib.auth import get_user_model

from elearn_plugin.host.adapters import FAKE, adapter_kind
from elearn_plugin.host.structure import (
    _block_type,
    _course_key,
    _plain_location,
    get_structure_adapter,
)

log = logging.getLogger(__name__)

# Set by the user-partitions transformer on a block kept only as a locked placeholder.
DENIAL_FIELD = "authorization_denial_reason"


class VisibilityAdapter(Protocol):
    def visible_blocks(
        self, course_key: str, block_type: str, user_ids: Collection[int]
    ) -> dict[int, set[str]]: ...


def _user_ids(user_ids: Collection[int]) -> list[int]:
    ids = sorted(set(user_ids))
    if any(isinstance(uid, bool) or not isinstance(uid, int) for uid in ids):
        raise ValueError("user ids must be integers")
    return ids


class PlatformVisibilityAdapter:
    """The LMS's course blocks API, per learner (with the platform's access transformers)."""

    def visible_blocks(
        self, course_key: str, block_type: str, user_ids: Collection[int]
    ) -> dict[int, set[str]]:
        """Per user id, the blocks of `block_type` they can see; a failed read is left out."""
        key = _course_key(course_key)
        category = _block_type(block_type)
        ids = _user_ids(user_ids)
        if not ids:
            return {}
        from lms.djangoapps.course_blocks.api import get_course_blocks  # noqa: PLC0415
        from xmodule.modulestore.django import modulestore  # noqa: PLC0415

        start = modulestore().make_course_usage_key(key)
        seen: dict[int, set[str]] = {}
        failed = 0
        for user in get_user_model().objects.filter(pk__in=ids):
            try:
                structure = get_course_blocks(user, start, allow_start_dates_in_future=True)
            except Exception:  # noqa: BLE001 - one learner's structure must not stop the rest
                failed += 1
                continue
            seen[user.pk] = {
                _plain_location(block)
                for block in structure.get_block_keys()
                if getattr(block, "block_type", None) == category
                and not structure.get_xblock_field(block, DENIAL_FIELD)
            }
        if failed:
            # Counts and the course key only (P-32).
            log.warning(
                "Course blocks of %s could not be read for %d of %d learner(s)",
                key,
                failed,
                len(ids),
            )
        return seen


class FakeVisibilityAdapter:
    """Standalone site and tests: the fake structure's blocks, less what tests hide.

    `staff_only(block)` hides a block from every learner who is not staff; `restrict(block,
    user_ids)` shows it only to those learners (a content group or a split-test branch).
    """

    def __init__(self) -> None:
        self._staff_only: set[str] = set()
        self._groups: dict[str, set[int]] = defaultdict(set)
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def staff_only(self, block_key: str) -> None:
        self._staff_only.add(str(block_key))

    def restrict(self, block_key: str, user_ids: Collection[int]) -> None:
        self._groups[str(block_key)] = set(user_ids)

    def clear(self) -> None:
        self._staff_only.clear()
        self._groups.clear()
        self.calls.clear()

    def visible_blocks(
        self, course_key: str, block_type: str, user_ids: Collection[int]
    ) -> dict[int, set[str]]:
        key = str(_course_key(course_key))
        ids = _user_ids(user_ids)
        self.calls.append((key, tuple(ids)))
        if not ids:
            return {}
        blocks = get_structure_adapter().blocks_of_type(key, block_type)
        staff = set(
            get_user_model().objects.filter(pk__in=ids, is_staff=True).values_list("pk", flat=True)
        )
        return {
            uid: {
                block
                for block in blocks
                if (block not in self._staff_only or uid in staff)
                and (block not in self._groups or uid in self._groups[block] or uid in staff)
            }
            for uid in ids
        }


_FAKE = FakeVisibilityAdapter()


def get_visibility_adapter() -> VisibilityAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformVisibilityAdapter()
