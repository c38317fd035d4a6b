"""Course completion from watching and passing (P-17, P-20): the passing status and its verdict.

The host says whether a learner passes a course (`COURSE_PASSING_STATUS_UPDATED`, and the
persisted grades the catch-up reads); this plugin knows which tracked videos they watched to
the end. A course completes when the learner passes and has watched every tracked video they
can see; `evaluate_completions` decides that with a few set queries per chunk of learners (the
rule is `rules.course_completion`) and writes through `record_completions_bulk`, which records
the completion once and credits it once.

`record_passing_status_bulk` is the only writer of `CoursePassing`. Each row holds the state
the host last reported and, in `updated_at`, the time of that report: an older report arriving
late (event bus, catch-up) never overwrites a newer one, and a repeated report changes nothing.
Only courses with a `CoursePolicy` are followed: a report for any other course is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.core.upsert import conflict_target, insert_ignoring_conflicts
from elearn_plugin.courses.completion_facts import (
    completion_choices,
    course_videos,
    passing_not_completed,
    visible_videos,
    watched_videos,
)
from elearn_plugin.courses.completions import CompletionSpec, record_completions_bulk
from elearn_plugin.courses.models import CoursePassing, CoursePolicy
from elearn_plugin.courses.validation import CourseDataError, _check_users, _choice, _course_key
from elearn_plugin.rules import course_completion as rule

log = logging.getLogger(__name__)

CHUNK_SIZE = 500
Source = CoursePassing.Source


@dataclass(frozen=True)
class PassingSpec:
    """What the host reported: passing or not, at `observed_at` (the event's or grade's time).

    `passed_at` is the host's own passing time when it keeps one (the persisted grade's
    `passed_timestamp`); otherwise passing starts at `observed_at`.
    """

    user_id: int
    course_key: str
    is_passing: bool
    observed_at: datetime
    passed_at: datetime | None = None


def _clean(spec: PassingSpec) -> PassingSpec:
    if not isinstance(spec.is_passing, bool):
        raise CourseDataError(_("is_passing must be true or false."))
    if not is_aware(spec.observed_at):
        raise CourseDataError(_("observed_at must be a date and time with a time zone."))
    if spec.passed_at is not None and not is_aware(spec.passed_at):
        raise CourseDataError(_("passed_at must be a date and time with a time zone."))
    return PassingSpec(
        spec.user_id,
        _course_key(spec.course_key),
        spec.is_passing,
        spec.observed_at,
        spec.passed_at,
    )


def followed_courses(course_keys: Iterable[str]) -> set[str]:
    """The course keys among `course_keys` that have a course policy (one query)."""
    return set(
        CoursePolicy.objects.filter(course_key__in=set(course_keys)).values_list(
            "course_key", flat=True
        )
    )


def _check_followed(course_keys: set[str]) -> None:
    unknown = sorted(course_keys - followed_courses(course_keys))
    if unknown:
        raise CourseDataError(
            _("Unknown course keys (no course policy): %(keys)s.")
            % {"keys": ", ".join(unknown[:10])}
        )


def _since(spec: PassingSpec, row: CoursePassing | None) -> datetime:
    """When passing began: the host's own time, unless the learner failed after it."""
    if spec.passed_at is not None and (row is None or spec.passed_at >= row.updated_at):
        return spec.passed_at
    return spec.observed_at


class _KeyTaken(Exception):
    """A concurrent writer stored one of the keys first."""


def _insert_new(new: list[CoursePassing]) -> tuple[list[CoursePassing], list[CoursePassing]]:
    """Insert rows for keys nobody had; returns (ours, taken by a concurrent writer).

    The common case is one statement. When a concurrent writer took a key meanwhile, the
    statement is undone (its savepoint) and the rows are inserted one by one, so each row this
    call reports as its own, and audits, really is (P-33).
    """
    if not new:
        return [], []
    try:
        with transaction.atomic():
            if insert_ignoring_conflicts(CoursePassing, new) != len(new):
                raise _KeyTaken
        return new, []
    except _KeyTaken:
        pass
    ours, taken = [], []
    for row in new:
        (ours if insert_ignoring_conflicts(CoursePassing, [row]) else taken).append(row)
    return ours, taken


def _decide(spec: PassingSpec, row: CoursePassing | None, source: str) -> CoursePassing | None:
    """The row to write for `spec`, or None when it changes nothing."""
    if row is None:
        if not spec.is_passing:
            return None  # no row already means "not passing"
        return CoursePassing(
            user_id=spec.user_id,
            course_key=spec.course_key,
            passing_since=_since(spec, None),
            source=source,
            updated_at=spec.observed_at,
        )
    if spec.observed_at < row.updated_at:
        return None  # an older report than the one stored
    if (row.passing_since is not None) == spec.is_passing:
        return None
    row.passing_since = _since(spec, row) if spec.is_passing else None
    row.source = source
    row.updated_at = spec.observed_at
    return row


def _write_chunk(chunk: list[PassingSpec], source: str) -> list[CoursePassing]:
    stored = {
        (row.user_id, row.course_key): row
        for row in CoursePassing.objects.select_for_update().filter(
            user_id__in={s.user_id for s in chunk}, course_key__in={s.course_key for s in chunk}
        )
    }
    new, changed = [], []
    for spec in chunk:
        row = stored.get((spec.user_id, spec.course_key))
        decided = _decide(spec, row, source)
        if decided is not None:
            (new if row is None else changed).append(decided)
    ours, taken = _insert_new(new)
    if taken:
        # A concurrent writer stored these keys first: decide again against its rows.
        again = {
            (row.user_id, row.course_key): row
            for row in CoursePassing.objects.select_for_update().filter(
                user_id__in={r.user_id for r in taken}, course_key__in={r.course_key for r in taken}
            )
        }
        specs = {(s.user_id, s.course_key): s for s in chunk}
        for lost in taken:
            pair = (lost.user_id, lost.course_key)
            decided = _decide(specs[pair], again.get(pair), source)
            if decided is not None and decided.pk is not None:
                changed.append(decided)
    if changed:
        CoursePassing.objects.bulk_create(
            [
                CoursePassing(
                    user_id=row.user_id,
                    course_key=row.course_key,
                    passing_since=row.passing_since,
                    source=row.source,
                    updated_at=row.updated_at,
                )
                for row in changed
            ],
            update_conflicts=True,
            unique_fields=conflict_target(CoursePassing, ["user", "course_key"]),
            update_fields=["passing_since", "source", "updated_at"],
        )
    if ours:
        pks = {
            (user_id, course_key): pk
            for pk, user_id, course_key in CoursePassing.objects.filter(
                user_id__in={r.user_id for r in ours}, course_key__in={r.course_key for r in ours}
            ).values_list("pk", "user_id", "course_key")
        }
        for row in ours:
            row.pk = pks[(row.user_id, row.course_key)]
    return ours + changed


def record_passing_status_bulk(
    specs: Sequence[PassingSpec], *, source: str = Source.EVENT, actor=None
) -> list[tuple[int, str]]:
    """Record what the host reported; returns the (user id, course key) pairs that changed.

    Bad input (a key that is not a course key, a course without a policy, an unknown user, a
    naive time) raises `CourseDataError` and writes nothing. Of several reports of one pair,
    the latest counts.
    """
    clean = [_clean(spec) for spec in specs]
    source = _choice(source, Source, "source")
    who = audit.resolve(actor)
    _check_users(spec.user_id for spec in clean)
    _check_followed({spec.course_key for spec in clean})
    latest: dict[tuple[int, str], PassingSpec] = {}
    for spec in sorted(clean, key=lambda s: s.observed_at):
        latest[(spec.user_id, spec.course_key)] = spec
    changed: list[tuple[int, str]] = []
    with transaction.atomic():
        for chunk in chunked(list(latest.values()), CHUNK_SIZE):
            rows = _write_chunk(chunk, source)
            audit.record_bulk(
                who,
                "course_passing.changed",
                [
                    (
                        row,
                        {
                            "course_key": row.course_key,
                            "is_passing": row.passing_since is not None,
                            "source_code": row.source,
                        },
                    )
                    for row in rows
                ],
            )
            changed += [(row.user_id, row.course_key) for row in rows]
    return changed


def record_passing_status(
    user_id: int,
    course_key: str,
    is_passing: bool,
    observed_at: datetime,
    *,
    source: str = Source.EVENT,
    actor=None,
) -> bool:
    """Record one report of the host; True when the learner's passing state changed."""
    spec = PassingSpec(user_id, course_key, is_passing, observed_at)
    return bool(record_passing_status_bulk([spec], source=source, actor=actor))


# --- the verdict -------------------------------------------------------------------------


def evaluate_completions(course_key: str, user_ids: Iterable[int], *, actor=None) -> int:
    """Record the completions of `course_key` that now hold for these learners (P-17, P-20).

    Returns how many completions are new; each is credited once by `record_completions_bulk`.
    Safe to call again at any time: a completed learner is skipped, an incomplete one is
    decided again. Bad input (not a course key, a course without a policy, ids that are not
    integers) raises `CourseDataError` and writes nothing.
    """
    key = _course_key(course_key)
    given = set(user_ids)
    if any(isinstance(uid, bool) or not isinstance(uid, int) for uid in given):
        raise CourseDataError(_("A user id must be an integer."))
    ids = sorted(given)
    who = audit.resolve(actor)
    _check_followed({key})
    if not ids:
        return 0
    choices = completion_choices()
    videos, builtin = course_videos(key)
    if not rule.course_countable(choices, has_builtin_videos=builtin):
        log.info("Course %s has built-in videos: the policy makes it not countable", key)
        return 0
    created = 0
    for chunk in chunked(ids, CHUNK_SIZE):
        passing = passing_not_completed(key, chunk)
        if not passing:
            continue
        watched = watched_videos(passing, videos)
        visible = visible_videos(key, videos, watched, sorted(passing))
        specs = []
        for uid, since in sorted(passing.items()):
            if uid not in visible:
                continue
            when = rule.completion_time(
                visible_videos=visible[uid],
                video_completions=watched.get(uid, {}),
                passing_since=since,
                choices=choices,
                has_builtin_videos=builtin,
            )
            if when is not None:
                specs.append(CompletionSpec(uid, key, when))
        if specs:
            created += record_completions_bulk(specs, actor=who)
    return created
