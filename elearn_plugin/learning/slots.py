"""The only writer of permitted slots (P-18): working time a training contact allowed a learner
to study in, counted as window time; read through the cache under a generation key."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.core import generations
from elearn_plugin.learning.models import PermittedSlot
from elearn_plugin.learning.validation import (
    LearningDataError,
    aware_datetime,
    clean_text,
    positive_id,
)

MAX_SLOT = timedelta(days=31)
_SLOTS_CACHE_KEY = "elearn:learning:slots:v2:{}"
_SLOTS_GEN_KEY = "elearn:learning:slots:gen:{}"
_SLOTS_CACHE_SECONDS = 3600


def grant_slot(
    user_id: int, starts_at: datetime, ends_at: datetime, *, actor, reason: str
) -> PermittedSlot:
    """Allow a learner to study in working time `[starts_at, ends_at)` (P-18).

    The caller has checked `Action.GRANT_LEARNING_SLOT` for the learner; granting the same
    slot again returns the first grant. Activities recorded afterwards in the slot are
    classified as in a window.
    """
    positive_id(user_id, "user_id")
    start = aware_datetime(starts_at, "starts_at")
    end = aware_datetime(ends_at, "ends_at")
    if end <= start:
        raise LearningDataError("ends_at must be after starts_at")
    if end - start > MAX_SLOT:
        raise LearningDataError(f"a permitted slot may span at most {MAX_SLOT.days} days")
    reason = clean_text(reason, "reason", 1000)
    who = audit.resolve(actor)
    if who.user_id is None:
        raise LearningDataError("a slot is granted by a known user")
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise LearningDataError(f"user {user_id} does not exist")
    with transaction.atomic():
        slot, created = PermittedSlot.objects.get_or_create(
            user_id=user_id,
            starts_at=start,
            ends_at=end,
            defaults={"granted_by_id": who.user_id, "reason": reason},
        )
        if created:
            audit.record(who, "slot.granted", slot, {"starts_at": start, "ends_at": end})
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
