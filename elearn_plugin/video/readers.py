"""What other domains and the apps read of the video domain: completions and a learner's state.

Read-only: other domains read a learner's video completions through these functions (the
stored `VideoCompletion`, the only proof that counts, P-17), never the progress rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from elearn_plugin.video.constants import CHUNK_SIZE
from elearn_plugin.video.models import VideoCompletion, WatchProgress


def completion_of(user_id: int, block_key: str) -> VideoCompletion | None:
    """The stored completion record, the only proof that counts (P-17)."""
    return VideoCompletion.objects.filter(user_id=user_id, block_key=block_key).first()


def completed_blocks(user_ids: Iterable[int], course_key: str) -> dict[int, set[str]]:
    """Blocks each learner has completed in a course (one query)."""
    result: dict[int, set[str]] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        for uid, block in VideoCompletion.objects.filter(
            user_id__in=ids[start : start + CHUNK_SIZE], course_key=course_key
        ).values_list("user_id", "block_key"):
            result.setdefault(uid, set()).add(block)
    return result


def learner_state(user_id: int, block_key: str) -> dict:
    """Per-learner state for the mobile apps: what is watched and whether it is complete."""
    progress = WatchProgress.objects.filter(user_id=user_id, block_key=block_key).first()
    completion = completion_of(user_id, block_key)
    return {
        "watched_seconds": progress.watched_seconds if progress else 0.0,
        "frontier": progress.frontier if progress else 0.0,
        "position": progress.position if progress else 0.0,
        "intervals": progress.intervals if progress else [],
        "complete": completion is not None,
        "completed_at": completion.completed_at.isoformat() if completion else None,
    }
