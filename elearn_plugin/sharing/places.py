"""Evidence of account sharing from sign-ins: two browser sessions of one account, at two
addresses, taking turns within minutes (P-4).

The platform's `SESSION_LOGIN_COMPLETED` names the account but carries no address, so
`PlacesMiddleware` keeps the request of the moment (the receiver reads the address and the
new session from it) and notes, at most every `SEEN_EVERY` seconds per session (the time is
kept in the session, so other requests cost nothing), where each
signed-in session of a learner is used. Per learner the cache holds the last place seen and
the times use moved from one place to another in the last `TURN_SECONDS`.

One move is a learner changing device (P-19: from the PC at work to the phone on the train,
or back hours later): never evidence. Evidence is use that comes *back*: place A, then B,
then A again (or B, A, B) within `TURN_SECONDS`, which is what two people at two places
signed in at once produce. A sign-in from a second place while the first is in use is the
first move; the first session's next request is the second. The row (`SessionOverlap`) is
keyed by the pair of sessions, so a long afternoon of turns is one row; the judge
(`sharing.services`) makes incidents and consequences of it.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.keyed import keyed_digest
from elearn_plugin.sharing.models import SessionOverlap

log = logging.getLogger(__name__)

TURN_SECONDS = 300
SEEN_EVERY = 60  # a session write a minute per active session; turns span 5 minutes
SEEN_KEY = "_elearn_place_noted_at"
SIGN_IN_DETECTION = audit.Actor(system="system:sharing_detection")
_request: ContextVar[object | None] = ContextVar("elearn_sharing_request", default=None)


def session_of(request) -> str | None:
    """A keyed hash of the request's session key (the key itself is a credential)."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return keyed_digest(key) if key else None


def address_of(request) -> str:
    return str(getattr(request, "META", {}).get("REMOTE_ADDR") or "")


def _place_key(user_id: int) -> str:
    return f"elearn:sharing:place:{user_id}"


def _is_watched(user) -> bool:
    """Learners' accounts; staff and superusers are not suspended by a detector."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and not getattr(user, "is_staff", False)
        and not getattr(user, "is_superuser", False)
    )


def note_place(
    user_id: int, session: str, address: str, now: datetime | None = None
) -> SessionOverlap | None:
    """Note that `session` of the learner is used from `address`; the evidence row when
    use came back to a place it had left within `TURN_SECONDS` (None otherwise)."""
    now = now or timezone.now()
    at = now.timestamp()
    entry = cache.get(_place_key(user_id)) or {}
    turns = [t for t in entry.get("t", []) if at - t <= TURN_SECONDS]
    other = entry.get("o")
    moved = (
        entry
        and entry.get("s") != session
        and entry.get("a") != address
        and at - float(entry.get("at", 0)) <= TURN_SECONDS
    )
    if moved:
        turns.append(at)
        other = {"s": entry["s"], "a": entry["a"], "at": entry["at"]}
    elif entry.get("s") != session:
        turns, other = [], None  # a new place after a pause, or at the same address
    found = None
    if moved and len(turns) >= 2 and other is not None:
        found = _record(user_id, other, {"s": session, "a": address, "at": at}, len(turns), now)
        turns = []
    cache.set(
        _place_key(user_id),
        {"s": session, "a": address, "at": at, "t": turns, "o": other},
        TURN_SECONDS * 2,
    )
    return found


def _record(user_id: int, first: dict, second: dict, turns: int, now) -> SessionOverlap | None:
    pair = "-".join(sorted((first["s"], second["s"])))
    key = f"{user_id}:{keyed_digest(pair)}"
    evidence = {
        "first": {"ip": first["a"], "seen_at": _iso(first["at"])},
        "second": {"ip": second["a"], "seen_at": _iso(second["at"])},
        "turns": turns,
        "turn_seconds": TURN_SECONDS,
    }
    try:
        with transaction.atomic():
            row = SessionOverlap.objects.create(
                user_id=user_id, key=key, detected_at=now, evidence=evidence
            )
            audit.record(
                SIGN_IN_DETECTION,
                "sharing.suspected",
                row,
                {"case_key": key, "signal_code": "concurrent_sign_in"},
            )
    except IntegrityError:
        return None  # these two sessions were recorded before
    log.info("concurrent sign-ins of user %s recorded", user_id)
    return row


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(float(epoch), tz=UTC).isoformat()


def note_request(request, *, force: bool = False) -> SessionOverlap | None:
    """Note the place of a learner's signed-in request (throttled per session)."""
    user = getattr(request, "user", None)
    if not _is_watched(user):
        return None
    store = getattr(request, "session", None)
    if not getattr(store, "session_key", None):  # token or anonymous requests: the apps
        return None  # are watched by the tracked video
    # When this session was last noted, kept in the session itself: most requests cost no
    # round trip to the cache and no digest; the session is written once every SEEN_EVERY s.
    now = timezone.now()
    try:
        last = float(store.get(SEEN_KEY) or 0)
    except (TypeError, ValueError):
        last = 0.0
    if not force and 0 <= now.timestamp() - last < SEEN_EVERY:
        return None
    store[SEEN_KEY] = int(now.timestamp())
    return note_place(user.pk, session_of(request), address_of(request), now)


def signed_in(user_id: int) -> None:
    """`SESSION_LOGIN_COMPLETED`: the new session's place, from the request of the moment."""
    request = _request.get()
    if request is None or getattr(getattr(request, "user", None), "pk", None) != user_id:
        return
    note_request(request, force=True)


class PlacesMiddleware:
    """Keep the request of the moment for the sign-in receiver; note where each signed-in
    learner session is used. Never refuses a request: the judge decides later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            try:
                note_request(request)
            except Exception:  # noqa: BLE001 - evidence must never break a page
                log.exception("sharing: the place of a request was not noted")
            return self.get_response(request)
        finally:
            _request.reset(token)
