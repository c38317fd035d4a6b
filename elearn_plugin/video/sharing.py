"""Evidence of account sharing: one learner's sessions playing at once from two places (P-4).

Every session gets a slot of its learner (an atomic counter in the shared cache); each
accepted report, and each plausible report of a superseded session, leaves its playback
window in its own slot and compares it with the slots around it. Two windows that overlap
from different addresses or browser sessions are recorded as a `SharingSuspicion` for HR;
nothing here refuses a report or changes progress.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.rules import watch as rules
from elearn_plugin.video.models import SharingSuspicion
from elearn_plugin.video.specs import ClientInfo, _epoch, _from_epoch, _hash
from elearn_plugin.video.tokens import TokenData

log = logging.getLogger(__name__)

SHARING_CACHE_SECONDS = 3600
# Each session of a learner gets the next slot number; a report compares its playback with the
# sessions in the slots around its own (one cache read), and writes only its own slot.
SHARING_NEIGHBOURS = 4
SLOT_COUNTER_SECONDS = 7 * 24 * 3600


# The server found two sessions playing at once; the learner did not choose to record it.
SHARING_DETECTION = audit.Actor(system="system:sharing_detection")


def _sharing_slot(user_id: int) -> int:
    """The next sharing slot of a learner (an atomic counter in the shared cache)."""
    key = f"elearn:video:slots:{user_id}"
    cache.add(key, 0, SLOT_COUNTER_SECONDS)
    try:
        slot = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, SLOT_COUNTER_SECONDS)
        slot = 1
    cache.touch(key, SLOT_COUNTER_SECONDS)
    return int(slot)


def _live_key(user_id: int, slot: int) -> str:
    return f"elearn:video:live:{user_id}:{slot}"


def _evidence_keys(user_id: int, token: TokenData) -> dict[int, str]:
    """The cache keys of this session's sharing slot and of its neighbours (none: no slot)."""
    if token.slot <= 0:
        return {}
    first, last = max(1, token.slot - SHARING_NEIGHBOURS), token.slot + SHARING_NEIGHBOURS
    return {slot: _live_key(user_id, slot) for slot in range(first, last + 1)}


def _different_places(a: dict, b: dict) -> bool:
    """Different addresses, or different browser sessions (both known)."""
    return a.get("ip", "") != b.get("ip", "") or bool(
        a.get("br") and b.get("br") and a["br"] != b["br"]
    )


def _note_for_sharing(
    user_id: int,
    token: TokenData,
    client: ClientInfo,
    now: datetime,
    *,
    start: float | None = None,
    seq: int = 0,
    media_seconds: float = 0.0,
    watch_rules: rules.WatchRules | None = None,
    keys: dict[int, str] | None = None,
    found: dict | None = None,
) -> tuple[str, dict] | None:
    """Compare this session's playback with its neighbours'; overlap = evidence (P-4).

    Each session writes only its own slot (no read-modify-write of shared state, so two
    devices reporting at once lose nothing) and reads the slots of the learner's sessions
    around it in one `get_many` (`found`, when the caller read them already). Returns the
    (key, entry) of its own slot for the caller to write; written here when `found` is None.
    `start` is the accepted report's window start; without it the report was refused as
    superseded and its playback counts only if plausible: newer than the session's last
    noted report and within the rate budget since then.
    """
    keys = _evidence_keys(user_id, token) if keys is None else keys
    if not keys:
        return None
    write_here = found is None
    if found is None:
        found = cache.get_many(list(keys.values()))
    own_key = keys[token.slot]
    end = _epoch(now)
    if start is None:
        own = found.get(own_key)
        if own is not None and own.get("s") == token.session_id:
            if seq <= int(own.get("q", 0)):
                return None
            previous = float(own["w"][1])
        else:
            previous = token.issued_at
        allowed = rules.allowed_media_seconds(end - previous, watch_rules or rules.WatchRules())
        if media_seconds > allowed + 1e-9:
            return None
        start = max(previous, end - media_seconds)
    mine = {
        "s": token.session_id,
        "q": seq,
        "ip": client.ip or "",
        "br": _hash(client.browser_key),
        "ua": _hash(client.user_agent),
        "w": [start, end],
        "b": token.block_key,
    }
    horizon = end - SHARING_CACHE_SECONDS
    for key, other in found.items():
        if key == own_key or not isinstance(other, dict) or other.get("s") == token.session_id:
            continue
        if other["w"][1] < horizon or not _different_places(other, mine):
            continue
        if rules.windows_overlap(tuple(other["w"]), tuple(mine["w"])):
            record_sharing_suspicion(user_id, int(other["s"]), token.session_id, other, mine)
    if write_here:
        cache.set(own_key, mine, SHARING_CACHE_SECONDS)
    return own_key, mine


def _note_superseded_playback(
    user_id: int,
    token: TokenData,
    client: ClientInfo,
    report,
    now: datetime,
    watch_rules,
    keys: dict[int, str],
    found: dict,
) -> None:
    """A report of a session another one superseded: no credit, but evidence of playback.

    Two places playing the same video at once supersede each other's sessions; the older
    one's reports still show it playing (P-4). A learner who moved to another device sends
    nothing more from the first one (P-19).
    """
    evidence = _note_for_sharing(
        user_id,
        token,
        client,
        now,
        seq=report.seq,
        media_seconds=report.end - report.start,
        watch_rules=watch_rules,
        keys=keys,
        found=found,
    )
    if evidence is not None:
        cache.set(evidence[0], evidence[1], SHARING_CACHE_SECONDS)


def record_sharing_suspicion(
    user_id: int, session_a: int, session_b: int, evidence_a: dict, evidence_b: dict
) -> bool:
    """Record two sessions that played at once from different places; True when new."""
    first, second = sorted((session_a, session_b))
    by_id = {session_a: evidence_a, session_b: evidence_b}

    def describe(entry: dict) -> dict:
        return {
            "ip": entry.get("ip", ""),
            "user_agent_hash": entry.get("ua", ""),
            "browser_hash": entry.get("br", ""),
            "block_key": entry.get("b", ""),
            "window": [_from_epoch(t).isoformat() for t in entry.get("w", [])],
        }

    with transaction.atomic():
        rows = SharingSuspicion.objects.bulk_create(
            [
                SharingSuspicion(
                    user_id=user_id,
                    first_session_id=first,
                    second_session_id=second,
                    evidence={"first": describe(by_id[first]), "second": describe(by_id[second])},
                )
            ],
            ignore_conflicts=True,
        )
        created = (
            SharingSuspicion.objects.filter(
                first_session_id=first, second_session_id=second, detected_at=rows[0].detected_at
            )
            .values_list("pk", flat=True)
            .first()
        )
        if created:
            audit.record(
                SHARING_DETECTION,
                "sharing.suspected",
                audit.target_of(SharingSuspicion, created),
                {"signal_code": "concurrent_playback", "session_id": second},
            )
    if created:
        log.warning("Sharing suspicion for user id %s: sessions %s and %s", user_id, first, second)
    return created is not None
