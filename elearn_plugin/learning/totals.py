"""Readers of learning time (P-20, P-24, P-26): seconds by classification, by kind and in all,
per learner or per unit (the learner's unit when the activity started)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Sum

from elearn_plugin.core.batching import chunked
from elearn_plugin.learning.activities import CHUNK_SIZE
from elearn_plugin.learning.models import ActivityKind, Classification, LearningActivity
from elearn_plugin.learning.validation import LearningDataError, aware_datetime

TOTAL = "total"


def _check_range(start: datetime, end: datetime) -> None:
    aware_datetime(start, "start")
    aware_datetime(end, "end")
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
