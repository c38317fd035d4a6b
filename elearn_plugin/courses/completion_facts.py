"""The facts a course-completion verdict needs, read in sets (P-17).

Read-only: the course's tracked and built-in videos, the learners who pass and have not
completed it, their verified video completions, and (only where it decides) which tracked
videos the host shows each learner. `courses.passing.evaluate_completions` combines them
through `rules.course_completion`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef

from elearn_plugin.core.batching import chunked
from elearn_plugin.courses.models import CourseCompletion, CoursePassing
from elearn_plugin.rules import course_completion as rule

# Learners whose visible blocks are read from the host in one adapter call.
VISIBILITY_CHUNK = 100


def completion_choices() -> rule.CompletionChoices:
    """The policy's completion choices (`completion.without_tracked_videos`, `.builtin_videos`)."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    completion = get_policy().completion
    return rule.CompletionChoices(completion.without_tracked_videos, completion.builtin_videos)


def course_videos(course_key: str) -> tuple[set[str], bool]:
    """The course's published tracked videos, and whether it has built-in videos (P-17).

    The structure adapter reads the published course (the modulestore in the LMS); the
    built-in videos are the findings the publish rescan keeps for required courses.
    """
    from elearn_plugin.host.structure import (  # noqa: PLC0415
        TRACKED_VIDEO_TYPE,
        get_structure_adapter,
    )
    from elearn_plugin.video.models import BuiltinVideoFinding  # noqa: PLC0415

    videos = set(get_structure_adapter().blocks_of_type(course_key, TRACKED_VIDEO_TYPE))
    builtin = BuiltinVideoFinding.objects.filter(course_key=course_key).exists()
    return videos, builtin


def passing_not_completed(course_key: str, user_ids: list[int]) -> dict[int, datetime]:
    """Passing since when, for the learners who pass and have no completion yet (one query)."""
    done = CourseCompletion.objects.filter(user_id=OuterRef("user_id"), course_key=course_key)
    return dict(
        CoursePassing.objects.filter(
            course_key=course_key, user_id__in=user_ids, passing_since__isnull=False
        )
        .annotate(done=Exists(done))
        .filter(done=False)
        .values_list("user_id", "passing_since")
    )


def watched_videos(user_ids: Iterable[int], videos: set[str]) -> dict[int, dict[str, datetime]]:
    """Per learner, the verified completion time of each of `videos` (one query).

    The plugin's own `VideoCompletion` records, never the host's forgeable BlockCompletion.
    """
    from elearn_plugin.video.models import VideoCompletion  # noqa: PLC0415

    watched: dict[int, dict[str, datetime]] = defaultdict(dict)
    if videos:
        for user_id, block_key, at in VideoCompletion.objects.filter(
            user_id__in=list(user_ids), block_key__in=sorted(videos)
        ).values_list("user_id", "block_key", "completed_at"):
            watched[user_id][block_key] = at
    return watched


def visible_videos(
    course_key: str,
    videos: set[str],
    watched: dict[int, dict[str, datetime]],
    user_ids: list[int],
) -> dict[int, set[str]]:
    """Per learner, the tracked videos they can see; the host is asked only where it matters.

    A learner who completed every tracked video of the course is complete whatever they see
    (dated by the last of them); only the others (passing, some video missing) cost a
    per-learner read, in chunks. A learner the host could not answer for is left out and
    decided at a later evaluation.
    """
    from elearn_plugin.host.structure import TRACKED_VIDEO_TYPE  # noqa: PLC0415
    from elearn_plugin.host.visibility import get_visibility_adapter  # noqa: PLC0415

    visible = {uid: set(videos) for uid in user_ids}
    ask = [uid for uid in user_ids if videos - set(watched.get(uid, ()))]
    adapter = get_visibility_adapter()
    for chunk in chunked(ask, VISIBILITY_CHUNK):
        seen = adapter.visible_blocks(course_key, TRACKED_VIDEO_TYPE, chunk)
        for uid in chunk:
            if uid in seen:
                visible[uid] = seen[uid] & videos
            else:
                visible.pop(uid)
    return visible
