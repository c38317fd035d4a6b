"""P-24: how much of a unit's online learning counts toward its monthly training hours.

Pure module (no Django). Online hours may make up at most a share `r` of the unit's total
training hours (online counted + offline), so the counted online time is at most
`r / (1 - r) × offline`: with 30 % and 70 hours in the classroom, 30 online hours count and
the rest is reported as excess. A unit with no classroom time counts no online time at all.
Arithmetic is exact (fractions of seconds, rounded down to whole seconds once), so a unit
exactly at the cap is at the cap, not a rounding error above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SECONDS_PER_HOUR = 3600
_CENT = Decimal("0.01")
_SHARE = Decimal("0.0001")


@dataclass(frozen=True)
class UnitNode:
    """A unit of the tree as the cap needs it: its id, depth and the ids from the root down."""

    unit_id: int
    depth: int
    ancestors: tuple[int, ...]  # root first, the unit itself last


@dataclass(frozen=True)
class CapRow:
    """One cap-level unit in one month: seconds online, offline, counted and above the cap."""

    unit_id: int
    online_seconds: int
    offline_seconds: int
    counted_seconds: int
    excess_seconds: int
    cap_share: Fraction
    share: Fraction  # counted online / (counted online + offline); 0 with no training time

    def as_hours(self) -> dict[str, Decimal]:
        """Hours with two decimals, and the share with four, as reports print them."""
        return {
            "online_hours": hours(self.online_seconds),
            "offline_hours": hours(self.offline_seconds),
            "counted_online_hours": hours(self.counted_seconds),
            "excess_hours": hours(self.excess_seconds),
            "share": decimal_share(self.share),
        }


def hours(seconds: int) -> Decimal:
    """Seconds as hours with two decimals, half up (5,400 s is 1.50)."""
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(_CENT, rounding=ROUND_HALF_UP)


def decimal_share(share: Fraction) -> Decimal:
    return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(
        _SHARE, rounding=ROUND_HALF_UP
    )


def as_fraction(share: float | Decimal | Fraction) -> Fraction:
    """A share from the policy (0.30) as the exact fraction it was written as (3/10)."""
    if isinstance(share, Fraction):
        return share
    return Fraction(str(share))


def counted_online_seconds(online: int, offline: int, cap_share: Fraction) -> int:
    """Online seconds that count: at most `r / (1 - r) × offline`, none without offline time.

    A share of 1 (100 %) leaves online time uncapped, but still only beside classroom time:
    P-24 caps online hours as part of a total that needs offline hours to exist.
    """
    if online < 0 or offline < 0:
        raise ValueError("seconds cannot be negative")
    if not 0 <= cap_share <= 1:
        raise ValueError("the cap share must lie between 0 and 1")
    if offline == 0 or online == 0:
        return 0
    if cap_share == 1:
        return online
    allowed = cap_share / (1 - cap_share) * offline
    return min(online, int(allowed))  # int() of a positive Fraction rounds down


def cap_row(unit_id: int, online: int, offline: int, cap_share: Fraction) -> CapRow:
    counted = counted_online_seconds(online, offline, cap_share)
    total = counted + offline
    return CapRow(
        unit_id=unit_id,
        online_seconds=online,
        offline_seconds=offline,
        counted_seconds=counted,
        excess_seconds=online - counted,
        cap_share=cap_share,
        share=Fraction(counted, total) if total else Fraction(0),
    )


def cap_unit_of(nodes: Iterable[UnitNode], level: int) -> dict[int, int]:
    """Each unit's cap-level unit: its ancestor at depth `level`, or itself when it sits
    above that level (a learner placed there counts in a row of their own unit)."""
    if level < 0:
        raise ValueError("the cap's unit level cannot be negative")
    return {
        node.unit_id: node.ancestors[level] if node.depth >= level else node.unit_id
        for node in nodes
    }


def cap_rows(
    seconds_by_unit: Mapping[int, tuple[int, int]],
    cap_unit: Mapping[int, int],
    travel_heavy: Iterable[int],
    default_share: Fraction,
    travel_heavy_share: Fraction,
) -> list[CapRow]:
    """One row per cap-level unit with any training time, ids ascending.

    `seconds_by_unit` maps the unit a learner belonged to when they studied to its
    `(online, offline)` seconds; each is rolled up into its cap-level unit, whose own flag
    (travel-heavy or large) chooses the share.
    """
    heavy = set(travel_heavy)
    totals: dict[int, list[int]] = {}
    for unit_id, (online, offline) in seconds_by_unit.items():
        target = cap_unit.get(unit_id, unit_id)
        entry = totals.setdefault(target, [0, 0])
        entry[0] += online
        entry[1] += offline
    return [
        cap_row(
            unit_id,
            online,
            offline,
            travel_heavy_share if unit_id in heavy else default_share,
        )
        for unit_id, (online, offline) in sorted(totals.items())
    ]
