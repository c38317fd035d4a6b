"""Watch sessions: issue one for a learner who opens a video, superseding the previous one.

A session is the learner's only way to earn progress on a block: its grant carries the
signed token every report sends (`tokens`) and where to resume. Its duration and rate are
the block's authored record (`videos`), never a caller's; the entry points check course
access (P-31), and every start passes the learning gate and the learning windows (P-18).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from elearn_plugin.video.checks import (
    _check_key,
    _policy,
    _refuse_if_gated,
    _refuse_outside_window,
    _require_course_access,
)
from elearn_plugin.video.errors import WatchError
from elearn_plugin.video.learning_time import _flush_progress_windows
from elearn_plugin.video.models import TrackedVideo, WatchProgress, WatchSession
from elearn_plugin.video.progress_cache import _remember_progress
from elearn_plugin.video.sharing import _sharing_slot
from elearn_plugin.video.specs import ClientInfo, VideoSpec, _hash
from elearn_plugin.video.tokens import sign_token
from elearn_plugin.video.videos import _authored_spec, _spec_of, clean_video_spec


@dataclass(frozen=True)
class SessionGrant:
    """What the player needs to start: the signed token and where to resume."""

    token: str
    session_id: int
    position: float
    frontier: float
    intervals: list
    complete: bool
    duration: float
    max_rate: float
    report_interval_seconds: int

    def as_dict(self) -> dict:
        return {
            "token": self.token,
            "position": self.position,
            "frontier": self.frontier,
            "intervals": self.intervals,
            "complete": self.complete,
            "duration": self.duration,
            "max_rate": self.max_rate,
            "report_interval_seconds": self.report_interval_seconds,
        }


def start_session(
    user, spec: VideoSpec, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a new watch session; it supersedes the learner's previous one for this block.

    The duration and rate are the block's authored record (`TrackedVideo`), never a caller's.
    Course access is checked by the entry points (`open_session`, `start_session_for_block`).
    """
    now = now or timezone.now()
    spec = clean_video_spec(spec)
    _refuse_if_gated(user, now)
    _refuse_outside_window(user.pk, now, now + timedelta(seconds=1))
    client = client or ClientInfo()
    spec = _authored_spec(spec)
    with transaction.atomic():
        progress, _created = WatchProgress.objects.select_for_update().get_or_create(
            user_id=user.pk,
            block_key=spec.block_key,
            defaults={
                "course_key": spec.course_key,
                "duration": spec.duration,
                "max_rate": spec.max_rate,
            },
        )
        old_session_id = progress.session_id
        session = WatchSession.objects.create(
            user_id=user.pk,
            course_key=spec.course_key,
            block_key=spec.block_key,
            created_at=now,
            ip=client.ip,
            user_agent_hash=_hash(client.user_agent),
            browser_hash=_hash(client.browser_key),
        )
        if old_session_id:
            WatchSession.objects.filter(pk=old_session_id, superseded_at__isnull=True).update(
                superseded_at=now
            )
            _flush_progress_windows(progress, old_session_id, actor=user)
        progress.session = session
        progress.session_started_at = now
        progress.duration = spec.duration
        progress.max_rate = spec.max_rate
        progress.last_seq = 0
        progress.last_report = None
        progress.last_report_at = None
        progress.pending_windows = []
        progress.version += 1
        progress.save()
        transaction.on_commit(functools.partial(_remember_progress, progress))
    token = sign_token(session.pk, user.pk, spec, now, _sharing_slot(user.pk))
    return SessionGrant(
        token=token,
        session_id=session.pk,
        position=progress.position,
        frontier=progress.frontier,
        intervals=[list(i) for i in progress.intervals],
        complete=progress.completed_at is not None,
        duration=spec.duration,
        max_rate=spec.max_rate,
        report_interval_seconds=int(_policy().video.report_interval_seconds),
    )


def open_session(
    user, spec: VideoSpec, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a session for the block a learner opened (the XBlock's `start_session` handler).

    Only for a learner with access to the block's course (enrolled, course staff or staff).
    """
    spec = clean_video_spec(spec)
    _require_course_access(user, spec.course_key)
    return start_session(user, spec, client, now)


def start_session_for_block(
    user, block_key: object, client: ClientInfo | None = None, now: datetime | None = None
) -> SessionGrant:
    """Issue a session from the server's record of the block (plain endpoint, mobile apps)."""
    key = _check_key(block_key, "block key")
    video = TrackedVideo.objects.filter(block_key=key).first()
    if video is None:
        raise WatchError("unknown_video", 404)
    _require_course_access(user, video.course_key)
    return start_session(user, _spec_of(video), client, now)
