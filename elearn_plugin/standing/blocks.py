"""The reading side of standing: a learner's current block, cached per learner (P-8).

Every request of a signed-in learner asks `active_block`, so it is one cache read; the
writers in `standing.services` call `invalidate` in their transaction, which bumps the
learner's generation so that no reader keeps an answer computed before the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from elearn_plugin.core import generations
from elearn_plugin.standing.models import Sanction, SanctionKind

BLOCKING_KINDS = (SanctionKind.SUSPENSION, SanctionKind.REVOCATION, SanctionKind.FREEZE)
# Higher wins when several blocks are active at once.
SEVERITY = {SanctionKind.SUSPENSION: 1, SanctionKind.REVOCATION: 2, SanctionKind.FREEZE: 3}
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Block:
    """Why a learner may not sign in or study, and until when (None: until lifted)."""

    kind: str
    reason_code: str
    reason: str
    ends_at: datetime | None
    # What decided it (the sanction's evidence): shown to the learner when refused.
    evidence: dict | None = None


def _cache_key(user_id: int) -> str:
    return f"elearn:standing:block:{user_id}"


def _generation_key(user_id: int) -> str:
    return f"elearn:standing:gen:{user_id}"


def invalidate(user_ids: Iterable[int]) -> None:
    """Make the cached block of these learners stale (now and again after the commit).

    The learner's generation changes; a reader that read the rows before the commit stores
    its answer under the older generation, which no later reader takes (P-8).
    """
    generations.bump(_generation_key(uid) for uid in set(user_ids))


def _compute(user_id: int, now: datetime) -> tuple[Block | None, datetime | None]:
    """The block at `now`, and the moment the answer may change by itself (None: never)."""
    rows = Sanction.objects.filter(
        user_id=user_id, kind__in=BLOCKING_KINDS, lifted_at__isnull=True
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    active = []
    changes: list[datetime] = []
    for row in rows.only("kind", "reason_code", "reason", "starts_at", "ends_at", "pk", "evidence"):
        if row.starts_at > now:
            changes.append(row.starts_at)
            continue
        active.append(row)
        if row.ends_at is not None:
            changes.append(row.ends_at)
    if not active:
        return None, min(changes, default=None)

    def rank(row):
        # Most severe first; among equals the longest-lasting, then the newest.
        far = datetime.max.replace(tzinfo=now.tzinfo)
        return (SEVERITY[row.kind], row.ends_at or far, row.pk)

    best = max(active, key=rank)
    block = Block(
        kind=best.kind,
        reason_code=best.reason_code,
        reason=best.reason,
        ends_at=best.ends_at,
        evidence=best.evidence or None,
    )
    return block, min(changes, default=None)


def active_block(user_id: int, now: datetime | None = None) -> Block | None:
    """The learner's current block, or None; cached per learner, never stale past an end."""
    now = now or timezone.now()
    key, gen_key = _cache_key(user_id), _generation_key(user_id)
    found = cache.get_many([gen_key, key])
    generation = generations.ensure(gen_key, found.get(gen_key))
    cached = found.get(key)
    if cached is not None and len(cached) == 4 and cached[0] == generation:
        _gen, computed_at, valid_until, data = cached
        if computed_at <= now and (valid_until is None or now < valid_until):
            return Block(*data) if data else None
    block, valid_until = _compute(user_id, now)
    data = (
        (block.kind, block.reason_code, block.reason, block.ends_at, block.evidence)
        if block
        else ()
    )
    cache.set(key, (generation, now, valid_until, data), CACHE_SECONDS)
    return block


def blocked_user_ids(user_ids: Iterable[int], now: datetime | None = None) -> set[int]:
    """Which of these learners are blocked at `now`, in one query (for organisation jobs)."""
    now = now or timezone.now()
    return set(
        Sanction.objects.filter(
            user_id__in=set(user_ids),
            kind__in=BLOCKING_KINDS,
            lifted_at__isnull=True,
            starts_at__lte=now,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .values_list("user_id", flat=True)
    )
