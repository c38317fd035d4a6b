"""The kill switch (P-34): the operator turns learning off at once and back on.

Learning is off while the waffle switch `elearn.learning_off` is active. Turning it off or on
touches no learning data: every learning action asks `learning_enabled()` (through the gate)
and refuses while it is off. `learning_resumed_at()` says when it was last turned back on
(the switch's own modification time), so that the time it was off never counts as watching:
a watch report's budget starts there at the earliest (ADR 0004).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from waffle import get_waffle_switch_model

from elearn_plugin import audit

log = logging.getLogger(__name__)

SWITCH_NAME = "elearn.learning_off"
_CACHE_KEY = "elearn:killswitch:state:v2"
CACHE_SECONDS = 5


CACHE_KEY = _CACHE_KEY
_UNREAD = object()


def learning_state(cached=_UNREAD) -> tuple[bool, datetime | None]:
    """(learning enabled, when it was last switched back on or None), one short-cached read.

    `cached` is the value of `CACHE_KEY` when the caller fetched it with its own keys (the
    watch report reads it in the same round trip as the learner's progress); None: a miss.
    """
    if cached is _UNREAD:
        cached = cache.get(_CACHE_KEY)
    if cached is not None:
        enabled, resumed = cached
        return enabled, (datetime.fromtimestamp(resumed, tz=UTC) if resumed else None)
    Switch = get_waffle_switch_model()  # noqa: N806

    # Read the row itself: waffle's own helpers may answer from a per-request cache.
    row = Switch.objects.filter(name=SWITCH_NAME).values_list("active", "modified").first()
    enabled = row is None or not row[0]
    # While the switch is inactive, its last save is when learning was turned (back) on.
    resumed = row[1] if row is not None and enabled else None
    cache.set(_CACHE_KEY, (enabled, resumed.timestamp() if resumed else None), CACHE_SECONDS)
    return enabled, resumed


def learning_enabled() -> bool:
    """True unless the operator switched learning off (read through a short cache)."""
    return learning_state()[0]


def learning_resumed_at() -> datetime | None:
    """When learning was last switched back on (None: it has never been switched off)."""
    return learning_state()[1]


def set_learning_enabled(enabled: bool, *, actor) -> None:
    """Switch learning on or off; records who and when in the switch's note."""
    if not isinstance(enabled, bool):
        raise TypeError("enabled must be True or False")
    Switch = get_waffle_switch_model()  # noqa: N806
    who = audit.resolve(actor)
    state = "on" if enabled else "off"
    by = f"user id {who.user_id}" if who.user_id is not None else who.system
    note = f"learning {state} since {timezone.now().isoformat()} ({by})"
    with transaction.atomic():
        switch, _created = Switch.objects.get_or_create(
            name=SWITCH_NAME, defaults={"active": False}
        )
        switch.active = not enabled
        switch.note = note
        # save() (not update()) so waffle's own cache is invalidated by its signal.
        switch.save()
        audit.record(who, "learning.switched", switch, {"enabled": enabled})
    cache.delete(_CACHE_KEY)
    log.warning("learning switched %s by %s", state, who)
