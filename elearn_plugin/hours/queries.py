"""The hours cap of one month, computed from learning time in two aggregate queries (P-24).

**Whose time, which unit.** Every accepted learning activity counts: classroom attendance
(P-27, attendees × the session's minutes) is offline time, everything else online whatever
its P-18 classification. An activity belongs to the month (policy zone) it started in, and
to the unit the learner belonged to at that instant, read from the membership history, so
a mid-month transfer splits the month between the two units and a later correction of HR's
dates moves the time with it. Time without a membership at that instant (before the first
recorded stay) falls back to the unit recorded on the activity.

**Which row.** Units are rolled up into their ancestor at `online_hours_cap.unit_level`; a
learner placed above that level counts in a row of their own unit (`rules.hours_cap`).
"""

from __future__ import annotations

from django.db.models import (
    BigIntegerField,
    Case,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from elearn_plugin.learning.models import ActivityKind, LearningActivity
from elearn_plugin.org.models import Membership, Unit
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.hours_cap import CapRow, UnitNode, as_fraction, cap_rows, cap_unit_of
from elearn_plugin.rules.periods import Period


def unit_nodes() -> tuple[list[UnitNode], set[int]]:
    """Every unit as a node of the tree, and the ids of those marked travel-heavy or large."""
    nodes: list[UnitNode] = []
    heavy: set[int] = set()
    for unit_id, path, depth, travel in Unit.objects.values_list(
        "pk", "path", "depth", "travel_heavy"
    ):
        ancestors = tuple(int(part) for part in path.strip("/").split("/") if part)
        nodes.append(UnitNode(unit_id, depth, ancestors or (unit_id,)))
        if travel:
            heavy.add(unit_id)
    return nodes, heavy


def seconds_by_unit(period: Period) -> dict[int, tuple[int, int]]:
    """`{unit id: (online seconds, offline seconds)}` of the activities started in `period`."""
    stay = Membership.objects.filter(
        user_id=OuterRef("user_id"), valid_from__lte=OuterRef("started_at")
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("started_at")))
    offline = Case(
        When(kind=ActivityKind.CLASSROOM, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        LearningActivity.objects.filter(
            started_at__gte=period.start_utc, started_at__lt=period.end_utc
        )
        .annotate(
            at_unit=Coalesce(
                Subquery(stay.order_by("-valid_from").values("unit_id")[:1]),
                "unit_id",
                output_field=BigIntegerField(),
            ),
            offline=offline,
        )
        .values("at_unit", "offline")
        .annotate(seconds=Sum("seconds"))
        .order_by()
    )
    totals: dict[int, list[int]] = {}
    for row in rows:
        if row["at_unit"] is None:
            continue  # neither a stay nor a recorded unit: outside the organisation
        entry = totals.setdefault(row["at_unit"], [0, 0])
        entry[1 if row["offline"] else 0] += int(row["seconds"])
    return {unit_id: (online, offline) for unit_id, (online, offline) in totals.items()}


def month_cap_rows(period: Period, policy: Policy) -> list[CapRow]:
    """The cap rows of `period` (a month) as the policy decides them now, ids ascending."""
    if period.kind != "month":
        raise ValueError("the hours cap is computed per month")
    rule = policy.online_hours_cap
    nodes, heavy = unit_nodes()
    return cap_rows(
        seconds_by_unit(period),
        cap_unit_of(nodes, rule.unit_level),
        heavy,
        as_fraction(rule.default_share),
        as_fraction(rule.travel_heavy_share),
    )
