"""The only writer of learning activities (ADR 0001), and their classification (P-18).

Each activity is keyed by `source_key`, so a watch session or a classroom roll-call that is
recorded twice counts once (P-33). Its unit is the learner's unit when the activity started,
so a later transfer (P-6) moves no hours between units. Its classification says whether the
time was spent in a learning window, outside working hours, or in working time without a
training contact's permission (P-18).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.upsert import insert_returning_ours
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.learning.models import (
    ActivityKind,
    Classification,
    LearningActivity,
    PermittedSlot,
)
from elearn_plugin.learning.validation import (
    LearningDataError,
    aware_datetime,
    clean_text,
    positive_id,
)

CHUNK_SIZE = 500
MAX_ACTIVITY = timedelta(days=2)


@dataclass(frozen=True)
class ActivitySpec:
    """One learning activity. Empty `classification` = computed from the policy calendar;
    `unit_id=None` = the learner's unit when the activity started; `seconds=None` = the span."""

    user_id: int
    kind: str
    source_key: str
    started_at: datetime
    ended_at: datetime
    seconds: int | None = None
    course_key: str = ""
    classification: str = ""
    unit_id: int | None = None


# --- validation ---------------------------------------------------------------------------


def _clean_activity(spec: ActivitySpec) -> ActivitySpec:
    positive_id(spec.user_id, "user_id")
    if spec.kind not in ActivityKind.values:
        raise LearningDataError(f"kind must be one of {ActivityKind.values}, got {spec.kind!r}")
    source_key = clean_text(spec.source_key, "source_key", 255)
    start = aware_datetime(spec.started_at, "started_at")
    end = aware_datetime(spec.ended_at, "ended_at")
    if end <= start:
        raise LearningDataError(f"{source_key}: ended_at must be after started_at")
    if end - start > MAX_ACTIVITY:
        raise LearningDataError(f"{source_key}: an activity may span at most {MAX_ACTIVITY}")
    span = (end - start).total_seconds()
    seconds = spec.seconds if spec.seconds is not None else math.floor(span)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
        raise LearningDataError(f"{source_key}: seconds must be a positive integer")
    if spec.kind == ActivityKind.VIDEO and seconds > math.ceil(span):
        raise LearningDataError(
            f"{source_key}: video seconds exceed the time between start and end"
        )
    if spec.classification and spec.classification not in Classification.values:
        raise LearningDataError(
            f"classification must be empty or one of {Classification.values}, "
            f"got {spec.classification!r}"
        )
    if spec.unit_id is not None:
        positive_id(spec.unit_id, "unit_id")
    return replace(
        spec,
        source_key=source_key,
        seconds=seconds,
        course_key=clean_text(spec.course_key, "course_key", 255, required=False),
    )


# --- classification -------------------------------------------------------------------------


def classify(
    start: datetime, end: datetime, permitted: Sequence[tuple[datetime, datetime]] = ()
) -> str:
    """The classification of `[start, end)` under the configured policy (P-18).

    Working time inside a permitted slot counts as window time: the training contact allowed
    it. Raises `PolicyNotConfigured` when the site has no valid policy: time is never judged
    against guessed defaults.
    """
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415
    from elearn_plugin.rules.calendar import classify_interval  # noqa: PLC0415

    policy = get_policy()

    def _classify(slots: Sequence[tuple[datetime, datetime]]) -> str:
        result = classify_interval(
            start,
            end,
            policy.calendar,
            policy.learning_windows,
            tz=policy.tz,
            permitted=tuple(slots),
        )
        return str(getattr(result, "value", result))

    plain = _classify(())
    if plain != Classification.UNPERMITTED or not permitted:
        return plain
    if _classify(permitted) == Classification.UNPERMITTED:
        return plain
    return Classification.WINDOW.value


def _units_at(specs: Sequence[ActivitySpec]) -> dict[str, int | None]:
    """The unit of each activity's learner when it started: membership history, else today's."""
    from elearn_plugin.org.models import Membership, Person  # noqa: PLC0415

    wanted = [s for s in specs if s.unit_id is None]
    result: dict[str, int | None] = {s.source_key: s.unit_id for s in specs if s.unit_id}
    if not wanted:
        return result
    user_ids = {s.user_id for s in wanted}
    first = min(s.started_at for s in wanted)
    last = max(s.started_at for s in wanted)
    stays: dict[int, list[tuple[datetime, datetime | None, int]]] = defaultdict(list)
    rows = Membership.objects.filter(user_id__in=user_ids, valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=first)
    )
    for user_id, unit_id, valid_from, valid_to in rows.values_list(
        "user_id", "unit_id", "valid_from", "valid_to"
    ):
        stays[user_id].append((valid_from, valid_to, unit_id))
    current = dict(Person.objects.filter(user_id__in=user_ids).values_list("user_id", "unit_id"))
    for spec in wanted:
        unit = next(
            (
                unit_id
                for valid_from, valid_to, unit_id in stays.get(spec.user_id, ())
                if valid_from <= spec.started_at
                and (valid_to is None or spec.started_at < valid_to)
            ),
            current.get(spec.user_id),
        )
        result[spec.source_key] = unit
    return result


def _slots_of(specs: Sequence[ActivitySpec]) -> dict[int, list[tuple[datetime, datetime]]]:
    """Permitted slots overlapping the batch, per learner, in one query."""
    first = min(s.started_at for s in specs)
    last = max(s.ended_at for s in specs)
    slots: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = PermittedSlot.objects.filter(
        user_id__in={s.user_id for s in specs}, starts_at__lt=last, ends_at__gt=first
    ).values_list("user_id", "starts_at", "ends_at")
    for user_id, starts_at, ends_at in rows:
        slots[user_id].append((starts_at, ends_at))
    return slots


# --- writers --------------------------------------------------------------------------------


def record_activity(spec: ActivitySpec, *, actor=None) -> bool:
    """Record one activity; False when its `source_key` was already recorded."""
    return record_activities_bulk([spec], actor=actor) == 1


def record_activities_bulk(specs: Sequence[ActivitySpec], *, actor=None) -> int:
    """Record activities in chunks; returns how many were new. All are validated first.

    `actor` None is the job running now (ADR 0009); each new activity gets its audit event.
    """
    who = audit.resolve(actor)
    clean: dict[str, ActivitySpec] = {}
    for spec in specs:
        item = _clean_activity(spec)
        clean.setdefault(item.source_key, item)
    items = list(clean.values())
    for chunk in chunked(items, CHUNK_SIZE):
        _require_known(chunk)
    created = 0
    with transaction.atomic():
        for chunk in chunked(items, CHUNK_SIZE):
            created += _record_chunk(who, chunk)
    return created


def _require_known(chunk: Sequence[ActivitySpec]) -> None:
    from elearn_plugin.org.models import Unit  # noqa: PLC0415

    user_ids = {s.user_id for s in chunk}
    if missing := sorted(missing_user_ids(user_ids)):
        raise LearningDataError(f"unknown user ids: {missing[:20]}")
    unit_ids = {s.unit_id for s in chunk if s.unit_id is not None}
    if unit_ids:
        known = set(Unit.objects.filter(pk__in=unit_ids).values_list("pk", flat=True))
        if missing := sorted(unit_ids - known):
            raise LearningDataError(f"unknown unit ids: {missing[:20]}")


def _record_chunk(who: audit.Actor, chunk: Sequence[ActivitySpec]) -> int:
    existing = set(
        LearningActivity.objects.filter(source_key__in=[s.source_key for s in chunk]).values_list(
            "source_key", flat=True
        )
    )
    new = [s for s in chunk if s.source_key not in existing]
    if not new:
        return 0
    units = _units_at(new)
    unclassified = [s for s in new if not s.classification]
    slots = _slots_of(unclassified) if unclassified else {}
    now = timezone.now()
    rows = [
        LearningActivity(
            created_at=now,
            user_id=s.user_id,
            unit_id=units.get(s.source_key),
            course_key=s.course_key,
            kind=s.kind,
            source_key=s.source_key,
            started_at=s.started_at,
            ended_at=s.ended_at,
            seconds=s.seconds,
            classification=s.classification
            or classify(s.started_at, s.ended_at, slots.get(s.user_id, ())),
        )
        for s in new
    ]
    try:
        with transaction.atomic():
            # A concurrent writer may have taken a key since the SELECT (P-33).
            ours = insert_returning_ours(LearningActivity, rows, ("source_key",), "created_at")
            audit.record_bulk(
                who,
                "activity.recorded",
                [
                    (
                        row,
                        {
                            "kind_code": row.kind,
                            "course_key": row.course_key,
                            "source_key": row.source_key,
                            "seconds": row.seconds,
                            "classification_code": row.classification,
                        },
                    )
                    for row in ours
                ],
            )
            return len(ours)
    except IntegrityError:
        raise LearningDataError("an activity refers to a user or unit that does not exist")
