"""The values passed between the video modules: a block's authored facts, a request's origin.

Also the one conversion of times to and from epoch seconds, the form they take in watch
tokens, in the sharing evidence of the shared cache and in the pending learning windows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class VideoSpec:
    """The authored facts of a tracked video block."""

    block_key: str
    course_key: str
    duration: float
    max_rate: float = 1.0
    title: str = ""
    credited_seconds: int = 0


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from; stored only as the IP and hashes (P-32)."""

    ip: str | None = None
    user_agent: str = ""
    browser_key: str = ""

    @classmethod
    def from_request(cls, request) -> ClientInfo:
        meta = getattr(request, "META", {}) or {}
        session = getattr(request, "session", None)
        return cls(
            ip=meta.get("REMOTE_ADDR") or None,
            user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:1000],
            browser_key=str(getattr(session, "session_key", "") or ""),
        )


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def _epoch(when: datetime) -> float:
    return when.timestamp()


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
