"""A video's completion: the immutable record written once, then the host's checkmark (P-17).

The record (`VideoCompletion`) is the only proof of watching that counts; it is written by
the report whose verified progress reached the end, with the session's learning time. The
host's completion (outline checkmarks) follows it and never blocks it; after the commit, the
course's completion is evaluated for the learner (`courses.passing`, through a task).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.video.learning_time import _flush_progress_windows
from elearn_plugin.video.models import VideoCompletion, WatchProgress
from elearn_plugin.video.tokens import TokenData

log = logging.getLogger(__name__)


def _complete(user, progress: WatchProgress, token: TokenData, now: datetime) -> bool:
    """Write the immutable completion (once) and the session's learning time.

    The progress row already says `completed_at` (written by the report's own update), so a
    report racing this one reads it and completes nothing again.
    """
    with transaction.atomic():
        VideoCompletion.objects.bulk_create(
            [
                VideoCompletion(
                    user_id=user.pk,
                    course_key=progress.course_key,
                    block_key=progress.block_key,
                    watched_seconds=progress.watched_seconds,
                    wall_seconds=progress.wall_seconds,
                    first_watched_at=progress.first_watched_at or now,
                    last_watched_at=now,
                    completed_at=now,
                )
            ],
            ignore_conflicts=True,
        )
        created = (
            VideoCompletion.objects.filter(
                user_id=user.pk, block_key=progress.block_key, completed_at=now
            )
            .values_list("pk", flat=True)
            .first()
        )
        if created:
            audit.record(
                user,
                "video.completed",
                audit.target_of(VideoCompletion, created),
                {
                    "block_key": progress.block_key,
                    "course_key": progress.course_key,
                    "session_id": token.session_id,
                },
            )
            _evaluate_course_after_commit(progress.course_key, user.pk)
        _flush_progress_windows(progress, token.session_id, actor=user)
    return created is not None


def _evaluate_course_after_commit(course_key: str, user_id: int) -> None:
    """A new video completion may complete its course (P-17): evaluate it after commit."""
    from elearn_plugin.tasks.courses import schedule_completion_evaluation  # noqa: PLC0415

    try:
        schedule_completion_evaluation(course_key, [user_id])
    except Exception:  # noqa: BLE001 - the catch-up job evaluates it later
        log.exception("Could not schedule the completion evaluation of course %s", course_key)


def _tell_host(user, block_key: str) -> None:
    """Host completion (outline checkmarks); never blocks our own record."""
    from elearn_plugin.host.completion import get_completion_adapter  # noqa: PLC0415

    try:
        get_completion_adapter().submit(user, block_key, 1.0)
    except ValueError:
        # Blocks outside the host's key scheme (standalone site) have no host completion.
        log.info("Block %s has no host completion key", block_key)
