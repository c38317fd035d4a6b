"""The only writer of learning time, permitted slots and classroom sessions (ADR 0001).

Each activity is keyed by `source_key`, so a watch session or a classroom roll-call that is
recorded twice counts once (P-33). Its unit is the learner's unit when the activity started,
so a later transfer (P-6) moves no hours between units. Its classification says whether the
time was spent in a learning window, outside working hours, or in working time without a
training contact's permission (P-18).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from elearn_plugin.core import generations
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.core.upsert import insert_ignoring_conflicts
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.learning.models import (
    ActivityKind,
    Classification,
    ClassroomSession,
    LearningActivity,
    PermittedSlot,
)

CHUNK_SIZE = 500
MAX_ACTIVITY = timedelta(days=2)
MAX_SLOT = timedelta(days=31)
MAX_RATING = Decimal("5")
_SLOTS_CACHE_KEY = "elearn:learning:slots:v2:{}"
_SLOTS_GEN_KEY = "elearn:learning:slots:gen:{}"
_SLOTS_CACHE_SECONDS = 3600
TOTAL = "total"


class LearningDataError(ValueError):
    """Bad input to a learning service; nothing was written."""


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


@dataclass(frozen=True)
class ClassroomSessionSpec:
    """An offline session (P-27); `session_key` identifies it, e.g. 'hr-2026-031'."""

    session_key: str
    title: str
    instructor_name: str
    started_at: datetime
    duration_seconds: int
    unit_id: int | None = None
    rating: Decimal | None = None
    course_key: str = ""


# --- validation ---------------------------------------------------------------------------


def _aware(value: object, field: str) -> datetime:
    if not is_aware(value):
        raise LearningDataError(f"{field} must be a timezone-aware datetime")
    return value


def _positive_id(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise LearningDataError(f"{field} must be a positive integer, got {value!r}")
    return value


def _text(value: object, field: str, max_length: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise LearningDataError(f"{field} must be a string")
    value = value.strip()
    if required and not value:
        raise LearningDataError(f"{field} must not be empty")
    if len(value) > max_length:
        raise LearningDataError(f"{field} is longer than {max_length} characters")
    return value


def _clean_activity(spec: ActivitySpec) -> ActivitySpec:
    _positive_id(spec.user_id, "user_id")
    if spec.kind not in ActivityKind.values:
        raise LearningDataError(f"kind must be one of {ActivityKind.values}, got {spec.kind!r}")
    source_key = _text(spec.source_key, "source_key", 255)
    start = _aware(spec.started_at, "started_at")
    end = _aware(spec.ended_at, "ended_at")
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
        _positive_id(spec.unit_id, "unit_id")
    return replace(
        spec,
        source_key=source_key,
        seconds=seconds,
        course_key=_text(spec.course_key, "course_key", 255, required=False),
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


def record_activity(spec: ActivitySpec) -> bool:
    """Record one activity; False when its `source_key` was already recorded."""
    return record_activities_bulk([spec]) == 1


def record_activities_bulk(specs: Sequence[ActivitySpec]) -> int:
    """Record activities in chunks; returns how many were new. All are validated first."""
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
            created += _record_chunk(chunk)
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


def _record_chunk(chunk: Sequence[ActivitySpec]) -> int:
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
    rows = [
        LearningActivity(
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
            return insert_ignoring_conflicts(LearningActivity, rows)
    except IntegrityError:
        raise LearningDataError("an activity refers to a user or unit that does not exist")


def grant_slot(
    user_id: int, starts_at: datetime, ends_at: datetime, *, actor, reason: str
) -> PermittedSlot:
    """Allow a learner to study in working time `[starts_at, ends_at)` (P-18).

    The caller has checked `Action.GRANT_LEARNING_SLOT` for the learner; granting the same
    slot again returns the first grant. Activities recorded afterwards in the slot are
    classified as in a window.
    """
    _positive_id(user_id, "user_id")
    start = _aware(starts_at, "starts_at")
    end = _aware(ends_at, "ends_at")
    if end <= start:
        raise LearningDataError("ends_at must be after starts_at")
    if end - start > MAX_SLOT:
        raise LearningDataError(f"a permitted slot may span at most {MAX_SLOT.days} days")
    reason = _text(reason, "reason", 1000)
    if actor is None or not getattr(actor, "pk", None):
        raise LearningDataError("a slot is granted by a known user")
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise LearningDataError(f"user {user_id} does not exist")
    with transaction.atomic():
        slot, _created = PermittedSlot.objects.get_or_create(
            user_id=user_id,
            starts_at=start,
            ends_at=end,
            defaults={"granted_by": actor, "reason": reason},
        )
        # A reader that loaded the slots before this commit stores them under the older
        # generation, which no later reader takes (P-18).
        generations.bump([_SLOTS_GEN_KEY.format(user_id)])
    return slot


def permitted_slots(
    user_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The learner's permitted slots overlapping `[start, end)`, read through the cache."""
    key, gen_key = _SLOTS_CACHE_KEY.format(user_id), _SLOTS_GEN_KEY.format(user_id)
    found = cache.get_many([gen_key, key])
    generation = generations.ensure(gen_key, found.get(gen_key))
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        every = entry[1]
    else:
        every = list(
            PermittedSlot.objects.filter(user_id=user_id)
            .order_by("starts_at")
            .values_list("starts_at", "ends_at")
        )
        cache.set(key, (generation, every), _SLOTS_CACHE_SECONDS)
    return [(s, e) for s, e in every if s < end and e > start]


def record_classroom_session(
    spec: ClassroomSessionSpec, attendee_ids: Iterable[int]
) -> ClassroomSession:
    """Record an offline session and its attendance as learning time (P-27, P-24).

    Idempotent by `session_key`: repeating it changes nothing and adding attendees later
    adds only them. The session's own time counts as permitted for its attendees.
    """
    session_key = _text(spec.session_key, "session_key", 200)
    title = _text(spec.title, "title", 255)
    instructor = _text(spec.instructor_name, "instructor_name", 200)
    start = _aware(spec.started_at, "started_at")
    duration = spec.duration_seconds
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise LearningDataError("duration_seconds must be a positive integer")
    if duration > MAX_ACTIVITY.total_seconds():
        raise LearningDataError(f"a session may last at most {MAX_ACTIVITY}")
    rating = _rating(spec.rating)
    course_key = _text(spec.course_key, "course_key", 255, required=False)
    if spec.unit_id is not None:
        from elearn_plugin.org.models import Unit  # noqa: PLC0415

        if not Unit.objects.filter(pk=_positive_id(spec.unit_id, "unit_id")).exists():
            raise LearningDataError(f"unit {spec.unit_id} does not exist")
    attendees = sorted({_positive_id(uid, "attendee id") for uid in attendee_ids})
    missing = sorted(missing_user_ids(attendees))
    if missing:
        raise LearningDataError(f"unknown attendee ids: {missing[:20]}")
    with transaction.atomic():
        session, _created = ClassroomSession.objects.get_or_create(
            session_key=session_key,
            defaults={
                "title": title,
                "instructor_name": instructor,
                "unit_id": spec.unit_id,
                "course_key": course_key,
                "started_at": start,
                "duration_seconds": duration,
                "rating": rating,
            },
        )
        if attendees:
            s_start = session.started_at
            s_end = s_start + timedelta(seconds=session.duration_seconds)
            classification = classify(s_start, s_end, [(s_start, s_end)])
            record_activities_bulk(
                [
                    ActivitySpec(
                        user_id=uid,
                        kind=ActivityKind.CLASSROOM,
                        source_key=f"classroom:{session.pk}:{uid}",
                        started_at=s_start,
                        ended_at=s_end,
                        seconds=session.duration_seconds,
                        course_key=session.course_key,
                        classification=classification,
                    )
                    for uid in attendees
                ]
            )
    return session


def _rating(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float | bool):
        raise LearningDataError("rating must be a Decimal or an integer, not a float")
    try:
        rating = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise LearningDataError(f"rating is not a number: {value!r}")
    if not rating.is_finite() or rating < 0 or rating > MAX_RATING:
        raise LearningDataError(f"rating must be between 0 and {MAX_RATING}")
    return rating.quantize(Decimal("0.01"))


# --- readers --------------------------------------------------------------------------------


def _check_range(start: datetime, end: datetime) -> None:
    _aware(start, "start")
    _aware(end, "end")
    if end <= start:
        raise LearningDataError("end must be after start")


def _fold(rows: Iterable[dict], group: str) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        bucket = result.setdefault(row[group], _empty_totals())
        seconds = int(row["total"] or 0)
        bucket[row["classification"]] += seconds
        bucket[row["kind"]] += seconds
        bucket[TOTAL] += seconds
    return result


def _empty_totals() -> dict[str, int]:
    return dict.fromkeys([*Classification.values, *ActivityKind.values, TOTAL], 0)


def learner_totals(
    start: datetime, end: datetime, user_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    """Seconds per learner for activities started in `[start, end)` (P-20, P-26).

    Each learner's dict has one key per classification (window, off_hours, unpermitted),
    one per kind (video, classroom, other) and `total`; one GROUP BY query per chunk.
    """
    _check_range(start, end)
    base = LearningActivity.objects.filter(started_at__gte=start, started_at__lt=end)
    if user_ids is None:
        return _fold(_grouped(base, "user_id"), "user_id")
    ids = sorted(set(user_ids))
    result: dict[int, dict[str, int]] = {}
    for chunk in chunked(ids, CHUNK_SIZE):
        part = base.filter(user_id__in=chunk)
        result.update(_fold(_grouped(part, "user_id"), "user_id"))
    return result


def unit_totals(start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Seconds per unit (the unit at the time) for activities started in `[start, end)` (P-24).

    Same keys as `learner_totals`; activities of learners outside the organisation are left out.
    """
    _check_range(start, end)
    base = LearningActivity.objects.filter(
        started_at__gte=start, started_at__lt=end, unit__isnull=False
    )
    return _fold(_grouped(base, "unit_id"), "unit_id")


def _grouped(queryset, group: str):
    return (
        queryset.values(group, "classification", "kind").annotate(total=Sum("seconds")).order_by()
    )
