"""When a learner completed a course: every visible tracked video watched, and passing (P-17).

Pure: plain values in, a time or None out. The service (`courses.passing`) gathers the facts
with a few set queries and the host's per-learner visibility; this module decides.

- A course completes when the learner is passing *and* has a verified completion of every
  tracked video they can see; the completion time is when both first held: the later of the
  passing-since time and the last of those video completions.
- A learner who sees no tracked video (the course has none, or none is visible to them) is
  decided by the policy's `completion.without_tracked_videos`: `grade_only` (passing
  suffices) or `not_countable` (never completes here).
- A course with built-in `video` blocks (which cannot prove watching) is decided by
  `completion.builtin_videos`: `ignore` (they do not count either way) or `not_countable`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

GRADE_ONLY = "grade_only"
NOT_COUNTABLE = "not_countable"
IGNORE = "ignore"
WITHOUT_TRACKED_VIDEOS_CHOICES: tuple[str, ...] = (GRADE_ONLY, NOT_COUNTABLE)
BUILTIN_VIDEOS_CHOICES: tuple[str, ...] = (IGNORE, NOT_COUNTABLE)


@dataclass(frozen=True)
class CompletionChoices:
    """The policy's two completion choices, checked."""

    without_tracked_videos: str
    builtin_videos: str

    def __post_init__(self) -> None:
        if self.without_tracked_videos not in WITHOUT_TRACKED_VIDEOS_CHOICES:
            raise ValueError(
                f"without_tracked_videos must be one of {WITHOUT_TRACKED_VIDEOS_CHOICES}, "
                f"not {self.without_tracked_videos!r}"
            )
        if self.builtin_videos not in BUILTIN_VIDEOS_CHOICES:
            raise ValueError(
                f"builtin_videos must be one of {BUILTIN_VIDEOS_CHOICES}, "
                f"not {self.builtin_videos!r}"
            )


def course_countable(choices: CompletionChoices, *, has_builtin_videos: bool) -> bool:
    """False when the policy makes every completion of this course impossible here."""
    return not (has_builtin_videos and choices.builtin_videos == NOT_COUNTABLE)


def completion_time(
    *,
    visible_videos: Collection[str],
    video_completions: Mapping[str, datetime],
    passing_since: datetime | None,
    choices: CompletionChoices,
    has_builtin_videos: bool = False,
) -> datetime | None:
    """The time the learner completed the course, or None while they have not.

    `visible_videos` are the tracked videos of the course's published structure that this
    learner can see; `video_completions` maps block keys to the learner's verified completion
    times (completions of other blocks are ignored); `passing_since` is when the host last
    started reporting them passing (None while not passing).
    """
    if passing_since is None:
        return None
    if not course_countable(choices, has_builtin_videos=has_builtin_videos):
        return None
    visible = set(visible_videos)
    if not visible:
        return passing_since if choices.without_tracked_videos == GRADE_ONLY else None
    times = []
    for block_key in visible:
        done = video_completions.get(block_key)
        if done is None:
            return None
        times.append(done)
    return max(passing_since, max(times))


def missing_videos(
    visible_videos: Collection[str], video_completions: Mapping[str, datetime]
) -> set[str]:
    """The visible tracked videos the learner has not completed yet."""
    return {key for key in visible_videos if key not in video_completions}
