"""Learning time from watching: pending windows of a session, written as learning activities.

Each accepted report appends its window of real time to the progress row's pending windows
(joined to the previous one when it continues the same viewing); they are written through
`learning.services` when the session is superseded or completes, or by the flush job for
sessions gone idle (ADR 0004, P-18, P-20).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from elearn_plugin.rules import watch as rules
from elearn_plugin.video.checks import _policy
from elearn_plugin.video.constants import CHUNK_SIZE
from elearn_plugin.video.models import WatchProgress, WatchSession
from elearn_plugin.video.specs import _from_epoch


def _window_gap(policy=None) -> float:
    """Windows closer than twice the report interval are one viewing (ADR 0004, 5)."""
    return float((policy or _policy()).video.report_interval_seconds) * 2


def _append_window(
    windows: Sequence[Sequence[float]],
    start: float,
    end: float,
    gap: float,
    after_break: bool = False,
):
    """The pending windows with [start, end] added, joined to the last one when it continues it.

    Joining here with the flush's own gap gives the flush the same learning periods, and keeps
    the row (read and written by every report) from growing with each report. A window after
    a break (learning off, a block) is never joined: it is marked `[start, end, 1]`.
    """
    pending = [list(w) for w in windows or []]
    if after_break:
        pending.append([start, end, 1])
    elif pending and pending[-1][0] <= start and start - pending[-1][1] <= gap:
        pending[-1][1] = max(pending[-1][1], end)
    else:
        pending.append([start, end])
    return pending


def _activity_specs(
    user_id: int,
    course_key: str,
    session_id: int,
    windows: Sequence[Sequence[float]],
) -> list:
    from elearn_plugin.learning.services import ActivitySpec  # noqa: PLC0415

    gap = _window_gap()
    specs = []
    for start, end in rules.coalesce_windows(windows, gap):
        seconds = int(round(end - start))
        if seconds <= 0:
            continue
        specs.append(
            ActivitySpec(
                user_id=user_id,
                course_key=course_key,
                kind="video",
                source_key=f"video:{session_id}:{int(start)}",
                started_at=_from_epoch(start),
                ended_at=_from_epoch(start + seconds),
                seconds=seconds,
                # Left empty: the learning writer classifies (P-18), with the learner's
                # permitted slots read once for the whole batch.
            )
        )
    return specs


def _flush_progress_windows(progress: WatchProgress, session_id: int, *, actor=None) -> int:
    """Write the pending windows of one session as learning time and clear them.

    `actor` is the learner when their own report or new session flushes; the flush job
    passes none and is the actor itself.

    The windows are cleared only if the row is still the version read: a report that
    appended a window meanwhile keeps it pending (the written ones are dropped).
    """
    windows = list(progress.pending_windows or [])
    if not windows:
        return 0
    from elearn_plugin.learning.services import record_activities_bulk  # noqa: PLC0415

    created = record_activities_bulk(
        _activity_specs(progress.user_id, progress.course_key, session_id, windows), actor=actor
    )
    cleared = WatchProgress.objects.filter(pk=progress.pk, version=progress.version).update(
        pending_windows=[], version=F("version") + 1
    )
    WatchSession.objects.filter(pk=session_id).update(learning_flushed_at=timezone.now())
    if cleared:
        progress.pending_windows = []
        progress.version += 1
    else:
        _drop_written_windows([{"pk": progress.pk, "pending_windows": windows}])
    return created


def flush_learning_time(idle_seconds: int = 600, now: datetime | None = None) -> int:
    """Write pending learning time of every session idle for `idle_seconds` (bulk, chunked).

    Safe to run often and twice: source keys are unique per session and window start.
    """
    from elearn_plugin.learning.services import record_activities_bulk  # noqa: PLC0415

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=idle_seconds)
    created = 0
    last_pk = 0
    while True:
        rows = list(
            WatchProgress.objects.filter(pk__gt=last_pk, last_report_at__lt=cutoff)
            .exclude(pending_windows=[])
            .order_by("pk")
            .values("pk", "user_id", "course_key", "session_id", "pending_windows", "version")[
                :CHUNK_SIZE
            ]
        )
        if not rows:
            return created
        last_pk = rows[-1]["pk"]
        specs = []
        for row in rows:
            specs.extend(
                _activity_specs(
                    row["user_id"], row["course_key"], row["session_id"], row["pending_windows"]
                )
            )
        with transaction.atomic():
            created += record_activities_bulk(specs)
            # Rows that received a report meanwhile keep their windows for the next run;
            # their already-written windows are skipped then by the unique source keys.
            unchanged = Q()
            for row in rows:
                unchanged |= Q(pk=row["pk"], version=row["version"])
            cleared = WatchProgress.objects.filter(unchanged).update(
                pending_windows=[], version=F("version") + 1
            )
            if cleared < len(rows):
                _drop_written_windows(rows)


def _drop_written_windows(rows: Sequence[dict]) -> None:
    """Rows that received a report during the flush: drop only the windows already written.

    Reports only append windows or extend the last one, so the written windows are the first
    of the list; an extension of the last written one stays pending as its own window. Rare.
    """
    written = {row["pk"]: row["pending_windows"] for row in rows}
    changed = (
        WatchProgress.objects.filter(pk__in=written)
        .exclude(pending_windows=[])
        .values("pk", "pending_windows", "version")
    )
    for row in changed:
        before = written[row["pk"]]
        current = row["pending_windows"]
        count = len(before)
        if not before or len(current) < count:
            continue
        keep = [list(w) for w in current[count:]]
        last_end = float(before[-1][1])
        if float(current[count - 1][1]) > last_end:
            keep.insert(0, [last_end, float(current[count - 1][1])])
        if keep != current:
            WatchProgress.objects.filter(pk=row["pk"], version=row["version"]).update(
                pending_windows=keep, version=row["version"] + 1
            )
