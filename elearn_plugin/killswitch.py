"""The kill switch (P-34): the operator turns learning off at once and back on.

Learning is off while the waffle switch `elearn.learning_off` is active. Turning it off or on
touches no learning data: every learning action asks `learning_enabled()` (through the gate)
and refuses while it is off.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from waffle import get_waffle_switch_model

log = logging.getLogger(__name__)

SWITCH_NAME = "elearn.learning_off"
_CACHE_KEY = "elearn:killswitch:learning_enabled"
CACHE_SECONDS = 5


def learning_enabled() -> bool:
    """True unless the operator switched learning off (read through a short cache)."""
    cached = cache.get(_CACHE_KEY)
    if cached is not None:
        return cached
    Switch = get_waffle_switch_model()  # noqa: N806

    # Read the row itself: waffle's own helpers may answer from a per-request cache.
    off = Switch.objects.filter(name=SWITCH_NAME, active=True).exists()
    enabled = not off
    cache.set(_CACHE_KEY, enabled, CACHE_SECONDS)
    return enabled


def set_learning_enabled(enabled: bool, *, actor) -> None:
    """Switch learning on or off; records who and when in the switch's note."""
    if not isinstance(enabled, bool):
        raise TypeError("enabled must be True or False")
    Switch = get_waffle_switch_model()  # noqa: N806
    actor_id = getattr(actor, "pk", actor)
    state = "on" if enabled else "off"
    note = f"learning {state} since {timezone.now().isoformat()} (user id {actor_id})"
    switch, _created = Switch.objects.get_or_create(name=SWITCH_NAME, defaults={"active": False})
    switch.active = not enabled
    switch.note = note
    # save() (not update()) so waffle's own cache is invalidated by its signal.
    switch.save()
    cache.delete(_CACHE_KEY)
    log.warning("learning switched %s by user id %s", state, actor_id)
