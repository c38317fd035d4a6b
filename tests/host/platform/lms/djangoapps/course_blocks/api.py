"""Stand-in of openedx-platform `lms/djangoapps/course_blocks/api.py`: `get_course_blocks`.

Written from the platform's behaviour, no platform code copied. Upstream,
`get_course_blocks(user, starting_block_usage_key, transformers=None,
collected_block_structure=None, allow_start_dates_in_future=False, include_completion=False,
include_has_scheduled_content=False)` runs the access transformers on the course's collected
block structure and returns the blocks that user can access (`get_block_keys()`,
`get_xblock_field()`). The effects mirrored here, on the published items of the stand-in
modulestore (`xmodule/modulestore/django.py`; an item's optional `parent` names its parent,
and what it sets is inherited by its descendants):
- `visible_to_staff_only` removes the block and its descendants for a learner without staff
  access (`transformers/visibility.py`); staff see everything;
- `group_access` ({partition id: [group ids]}, content groups, cohorts and the branches of a
  split test) removes the block unless the learner's group in each restricting partition is
  allowed (`transformers/user_partitions.py`, `split_test.py`); a learner in no group of a
  restricting partition is denied. A partition that explains its denial (enrollment tracks,
  content type gating: `MESSAGE_PARTITIONS` here) keeps the block, marked with the xblock
  field `authorization_denial_reason`;
- a future `start` removes the block unless `allow_start_dates_in_future`
  (`transformers/start_date.py`).
The learner's group per partition (the cohort or random scheme's choice) is what tests record
with `assign_group`.
"""

from __future__ import annotations

from django.utils import timezone
from xmodule.modulestore import ModuleStoreEnum
from xmodule.modulestore.django import modulestore

# (user id, course key) -> {partition id: group id}
USER_GROUPS: dict[tuple[int, str], dict[int, int]] = {}
MESSAGE_PARTITIONS: set[int] = set()


def assign_group(user_id: int, course_key, partition_id: int, group_id: int) -> None:
    USER_GROUPS.setdefault((user_id, str(course_key)), {})[partition_id] = group_id


def clear() -> None:
    USER_GROUPS.clear()
    MESSAGE_PARTITIONS.clear()


class BlockStructureBlockData:
    """The transformed structure: the accessible blocks and their overridden fields."""

    def __init__(self, root_block_usage_key, blocks: dict, fields: dict) -> None:
        self.root_block_usage_key = root_block_usage_key
        self._blocks = blocks
        self._fields = fields

    def get_block_keys(self):
        return iter(self._blocks)

    def __contains__(self, usage_key) -> bool:
        return usage_key in self._blocks

    def get_xblock_field(self, usage_key, field_name, default=None):
        if field_name in self._fields.get(usage_key, {}):
            return self._fields[usage_key][field_name]
        return getattr(self._blocks.get(usage_key), field_name, default)


def _chain(item, items: dict) -> list:
    chain, seen = [], set()
    while item is not None and item.location not in seen:
        seen.add(item.location)
        chain.append(item)
        parent = getattr(item, "parent", None)
        item = items.get(str(parent)) if parent else None
    return chain


def _denied_partitions(chain: list, groups: dict[int, int]) -> set[int]:
    denied = set()
    for item in chain:
        for partition_id, allowed in (getattr(item, "group_access", None) or {}).items():
            if allowed and groups.get(partition_id) not in set(allowed):
                denied.add(partition_id)
    return denied


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def get_course_blocks(
    user,
    starting_block_usage_key,
    transformers=None,
    collected_block_structure=None,
    allow_start_dates_in_future=False,
    include_completion=False,
    include_has_scheduled_content=False,
):
    course_key = starting_block_usage_key.course_key
    published = modulestore().get_items(
        course_key,
        revision=ModuleStoreEnum.RevisionOption.published_only,
        include_orphans=False,
    )
    items = {str(item.location): item for item in published}
    groups = USER_GROUPS.get((user.pk, str(course_key)), {})
    now = timezone.now()
    blocks, fields = {}, {}
    for item in items.values():
        chain = _chain(item, items)
        if not _is_staff(user):
            if any(getattr(link, "visible_to_staff_only", False) for link in chain):
                continue
            starts = [getattr(link, "start", None) for link in chain]
            if not allow_start_dates_in_future and any(s and s > now for s in starts):
                continue
            denied = _denied_partitions(chain, groups)
            if denied - MESSAGE_PARTITIONS:
                continue
            if denied:
                fields[item.location] = {"authorization_denial_reason": "Enrollment track"}
        blocks[item.location] = item
    return BlockStructureBlockData(starting_block_usage_key, blocks, fields)
