"""Tick job recovering course completions from the host's persisted grades (P-17, P-33).

The passing-status events and the video-completion trigger decide completions as they happen;
this job makes sure that a lost event, a lost task or a course that got its policy late never
loses one. Each run, under the tick's lock and as `job:courses.completion_catch_up`:

1. reads the host's persisted course grades changed since its watermark (`host.grades`, keyset
   pages of (modified, id), the followed courses only) and records what they say through
   `record_passing_status_bulk` (source `catch_up`; a newer event is never overwritten);
   a course whose policy is new is read from its first grade (a backfill) before it joins
   the others;
2. reads the verified video completions recorded since its other watermark;
3. evaluates the learners found passing or with a new video completion, course by course
   (`evaluate_completions`, which records each completion and its credits once).

The watermarks, the followed courses and the backfill live in the job's own
`JobState.last_summary`, written by the tick only when a run succeeds: a failed run is read
again, which changes nothing twice. Rows newer than `SETTLE` are left to the next run, so a
transaction still open at the host when the page was read is not skipped. Work per run is
bounded (`MAX_PAGES` pages of `PAGE_SIZE` rows per source); `more` says the next run goes on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q

from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.courses.models import CoursePassing, CoursePolicy
from elearn_plugin.courses.passing import (
    PassingSpec,
    evaluate_completions,
    record_passing_status_bulk,
)
from elearn_plugin.tick.registry import register_job

log = logging.getLogger(__name__)

JOB = "courses.completion_catch_up"
PAGE_SIZE = 1000
MAX_PAGES = 20
SETTLE = timedelta(minutes=2)

Position = tuple[datetime, int]


def _position(value) -> Position | None:
    if not value:
        return None
    when, row_id = value
    return datetime.fromisoformat(when), int(row_id)


def _stored(position: Position | None) -> list | None:
    return None if position is None else [position[0].isoformat(), position[1]]


def _last_summary() -> dict:
    from elearn_plugin.tick.models import JobState  # noqa: PLC0415

    summary = JobState.objects.filter(name=JOB).values_list("last_summary", flat=True).first()
    return summary if isinstance(summary, dict) else {}


class _Run:
    """One run's budget, counts and the learners to evaluate per course."""

    def __init__(self, before: datetime) -> None:
        self.before = before
        self.pages = 0
        self.more = False
        self.grades_read = 0
        self.passing_changed = 0
        self.videos_read = 0
        self.pending: dict[str, set[int]] = defaultdict(set)

    def grades(self, adapter, courses: set[str], after: Position | None) -> tuple:
        """Read and record grades of `courses` after `after`; returns (position, caught_up)."""
        while courses:
            if self.pages >= MAX_PAGES:
                self.more = True
                return after, False
            self.pages += 1
            rows = [
                row
                for row in adapter.changed_since(after, courses, PAGE_SIZE)
                if row.modified < self.before
            ]
            if not rows:
                return after, True
            self._record(rows)
            after = rows[-1].position
        return after, True

    def _record(self, rows) -> None:
        self.grades_read += len(rows)
        gone = missing_user_ids({row.user_id for row in rows})  # retired accounts
        specs = [
            PassingSpec(row.user_id, row.course_key, row.passing, row.modified, row.passed_at)
            for row in rows
            if row.user_id not in gone
        ]
        self.passing_changed += len(
            record_passing_status_bulk(specs, source=CoursePassing.Source.CATCH_UP)
        )
        for spec in specs:
            if spec.is_passing:
                self.pending[spec.course_key].add(spec.user_id)

    def videos(self, courses: set[str], after: Position | None) -> Position | None:
        """Learners with a video completion recorded after `after`, in followed courses."""
        from elearn_plugin.video.models import VideoCompletion  # noqa: PLC0415

        for _page in range(MAX_PAGES):
            rows = VideoCompletion.objects.filter(
                course_key__in=courses, completed_at__lt=self.before
            )
            if after is not None:
                rows = rows.filter(
                    Q(completed_at__gt=after[0]) | Q(completed_at=after[0], pk__gt=after[1])
                )
            page = list(
                rows.order_by("completed_at", "pk").values_list(
                    "pk", "completed_at", "course_key", "user_id"
                )[:PAGE_SIZE]
            )
            self.videos_read += len(page)
            for _pk, _at, course_key, user_id in page:
                self.pending[course_key].add(user_id)
            if page:
                after = (page[-1][1], page[-1][0])
            if len(page) < PAGE_SIZE:
                return after
        self.more = True
        return after


@register_job(JOB)
def completion_catch_up(now: datetime) -> dict:
    """Record what the host's persisted grades say, then evaluate who may have completed."""
    from elearn_plugin.host.grades import get_grades_adapter  # noqa: PLC0415

    state = _last_summary()
    run = _Run(before=now - SETTLE)
    followed = set(CoursePolicy.objects.values_list("course_key", flat=True))
    covered = set(state.get("courses") or []) & followed
    grades_after = _position(state.get("grades_after"))
    stored_backfill = state.get("backfill") or {}
    backfill = followed - covered
    backfill_after = _position(stored_backfill.get("after"))
    if backfill != set(stored_backfill.get("courses") or []):
        backfill_after = None  # a course joined: read the backfill's courses from the start
    persistence = get_grades_adapter().persistence()
    if persistence.enabled:
        adapter = get_grades_adapter()
        grades_after, _caught_up = run.grades(adapter, covered, grades_after)
        backfill_after, done = run.grades(adapter, backfill, backfill_after)
        if done and backfill:
            if not covered:
                grades_after = backfill_after  # the first run: nothing else to go on from
            covered |= backfill
            backfill, backfill_after = set(), None
    videos_after = run.videos(followed, _position(state.get("videos_after")))
    completed = 0
    for course_key, user_ids in sorted(run.pending.items()):
        completed += evaluate_completions(course_key, user_ids)
    if completed:
        log.info("Completion catch-up recorded %d course completion(s)", completed)
    return {
        "persistent_grades": persistence.as_dict(),
        "grades_read": run.grades_read,
        "passing_changed": run.passing_changed,
        "videos_read": run.videos_read,
        "evaluated": sum(len(users) for users in run.pending.values()),
        "completed": completed,
        "more": run.more,
        "courses": sorted(covered),
        "backfill": {"courses": sorted(backfill), "after": _stored(backfill_after)},
        "grades_after": _stored(grades_after),
        "videos_after": _stored(videos_after),
    }
