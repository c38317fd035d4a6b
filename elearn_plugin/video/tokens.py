"""Watch tokens: the signed session facts a player sends with every report (ADR 0004).

A token carries the session, the learner, the block's authored duration and rate, its issue
time and sharing slot, so that a report needs no read to know them. Signing and reading are
kept together: they are the two ends of one format.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.utils import timezone

from elearn_plugin.conf import setting
from elearn_plugin.video.errors import WatchError
from elearn_plugin.video.specs import VideoSpec, _epoch

TOKEN_MAX_AGE_SECONDS = 12 * 3600


@dataclass(frozen=True)
class TokenData:
    session_id: int
    user_id: int
    block_key: str
    course_key: str
    duration: float
    max_rate: float
    issued_at: float
    slot: int = 0  # the session's sharing slot (0: none, tokens issued before slots existed)


def _salt() -> str:
    return setting("ELEARN_WATCH_TOKEN_SALT")


def sign_token(session_id: int, user_id: int, spec: VideoSpec, now: datetime, slot: int) -> str:
    """The signed token of a new session of `spec` (its authored record), issued at `now`."""
    return signing.dumps(
        {
            "s": session_id,
            "u": user_id,
            "b": spec.block_key,
            "c": spec.course_key,
            "d": spec.duration,
            "r": spec.max_rate,
            "t": _epoch(now),
            "k": slot,
        },
        salt=_salt(),
        compress=True,
    )


@functools.lru_cache(maxsize=4096)
def _verified_token(token: str, salt: str, key: str) -> TokenData | None:
    """The content of a validly signed token (None when forged); the same token is sent by
    every report of its session, so each process verifies it once. `key` is part of the
    cache key only: a rotated SECRET_KEY verifies again."""
    try:
        data = signing.loads(token, salt=salt)
        return TokenData(
            session_id=int(data["s"]),
            user_id=int(data["u"]),
            block_key=str(data["b"]),
            course_key=str(data["c"]),
            duration=float(data["d"]),
            max_rate=float(data["r"]),
            issued_at=float(data["t"]),
            slot=int(data.get("k", 0)),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def read_token(token: object, user, now: datetime | None = None) -> TokenData:
    """Verify the signed watch token and that it belongs to `user`."""
    if not isinstance(token, str) or not token or len(token) > 1000:
        raise WatchError("bad_token", 400)
    parsed = _verified_token(token, _salt(), settings.SECRET_KEY)
    if parsed is None:
        raise WatchError("bad_token", 400)
    if parsed.user_id != user.pk:
        raise WatchError("wrong_user", 403)
    age = _epoch(now or timezone.now()) - parsed.issued_at
    if not 0 <= age <= TOKEN_MAX_AGE_SECONDS:
        raise WatchError("bad_token", 400)
    return parsed
