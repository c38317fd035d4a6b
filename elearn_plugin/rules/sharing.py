"""Incidents of account sharing (P-4): which pieces of evidence make one incident.

The evidence is overlapping use of one account from two places: playback that overlaps in
time (the tracked video), or two signed-in browser sessions at two addresses taking turns
(`sharing.places`). A learner who stops on the PC and continues on the phone, P-19, produces
neither. One incident is one account's evidence within `window` of the
incident's first item, so a morning of shared playback is one suspension, not twenty; what
starts after the window opens the next incident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

PLAYBACK = "playback"
SIGN_IN = "sign_in"


@dataclass(frozen=True)
class Evidence:
    user_id: int
    evidence_id: int
    at: datetime
    kind: str = PLAYBACK  # PLAYBACK (a SharingSuspicion) or SIGN_IN (a SessionOverlap)


@dataclass(frozen=True)
class Incident:
    user_id: int
    starts_at: datetime
    ends_at: datetime
    evidence_ids: tuple[int, ...]  # playback evidence
    sign_in_ids: tuple[int, ...] = ()


def group_incidents(items: Iterable[Evidence], window: timedelta) -> list[Incident]:
    """The incidents of `items`, per learner in time order, each opened by its first item."""
    if window <= timedelta(0):
        raise ValueError("the incident window must be positive")
    by_user: dict[int, list[Evidence]] = defaultdict(list)
    for item in items:
        by_user[item.user_id].append(item)
    incidents: list[Incident] = []
    for user_id in sorted(by_user):
        current: list[Evidence] = []
        for item in sorted(by_user[user_id], key=lambda e: (e.at, e.kind, e.evidence_id)):
            if current and item.at >= current[0].at + window:
                incidents.append(_incident(user_id, current))
                current = []
            current.append(item)
        incidents.append(_incident(user_id, current))
    return incidents


def _incident(user_id: int, items: list[Evidence]) -> Incident:
    return Incident(
        user_id=user_id,
        starts_at=items[0].at,
        ends_at=items[-1].at,
        evidence_ids=tuple(e.evidence_id for e in items if e.kind == PLAYBACK),
        sign_in_ids=tuple(e.evidence_id for e in items if e.kind == SIGN_IN),
    )
