"""The hours cap per cap-level unit and month: roll-up of child units, a learner above the
level in a row of their own unit, the split on a mid-month transfer, classroom attendance
as offline time, and the figures recorded once when the month closes (P-24, P-27)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.hours.queries import month_cap_rows
from elearn_plugin.hours.report import hours_report
from elearn_plugin.learning.activities import ActivitySpec, record_activities_bulk
from elearn_plugin.learning.classroom import ClassroomSessionSpec, record_classroom_session
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Unit
from elearn_plugin.rules.periods import period_from_label
from tests.unit.rankings.conftest import POLICY, TZ, close, local

OCT = period_from_label("2026-10", TZ)
H = 3600


def study(user_id: int, start, hours: float, kind: str = "video") -> None:
    record_activities_bulk(
        [
            ActivitySpec(
                user_id=user_id,
                kind=kind,
                source_key=f"t:{user_id}:{start.isoformat()}",
                started_at=start,
                ended_at=start + timedelta(seconds=int(hours * H)),
            )
        ]
    )


def classroom(key: str, start, minutes: int, attendees: list[int]) -> None:
    record_classroom_session(
        ClassroomSessionSpec(key, "Fire drill", "Qian Jin", start, minutes * 60), attendees
    )


@pytest.fixture
def tree(units, people):
    """hq (root, depth 0) > sales (depth 1, travel-heavy) > east (depth 2); ops (depth 1)."""
    east, _ = org.create_unit("east", "East", parent_id=units["sales"].id)
    ops, _ = org.create_unit("ops", "Ops", parent_id=units["hq"].id)
    Unit.objects.filter(pk=units["sales"].pk).update(travel_heavy=True)
    boss, seller, mover, worker = people(4, local(2025, 12, 1))
    org.set_units_bulk([(seller, east.id), (mover, east.id)], local(2025, 12, 1))
    org.set_units_bulk([(worker, ops.id)], local(2025, 12, 1))
    org.set_units_bulk([(mover, ops.id)], local(2026, 10, 15))  # mid-month transfer
    return {
        "hq": units["hq"],
        "sales": units["sales"],
        "east": east,
        "ops": ops,
        "boss": boss,
        "seller": seller,
        "mover": mover,
        "worker": worker,
    }


def by_code(rows) -> dict:
    codes = dict(Unit.objects.values_list("pk", "code"))
    return {codes[row.unit_id]: row for row in rows}


def test_child_units_roll_up_and_a_transfer_splits_the_month(tree):  # P-24, P-6
    study(tree["seller"], local(2026, 10, 5, 19), 6)
    study(tree["mover"], local(2026, 10, 10, 19), 4)  # in east (sales) then
    study(tree["mover"], local(2026, 10, 20, 19), 3)  # in ops now
    study(tree["worker"], local(2026, 10, 21, 19), 2, kind="other")
    study(tree["boss"], local(2026, 10, 22, 19), 1)  # hq sits above the cap level
    study(tree["seller"], local(2026, 11, 1, 0, 30), 5)  # November in Shanghai
    classroom("s-east", local(2026, 10, 6, 14), 600, [tree["seller"]])  # 10 h offline
    # 7 h each; the mover is still in east on 7 October, so their 7 h belong to sales.
    classroom("s-ops", local(2026, 10, 7, 14), 420, [tree["worker"], tree["mover"]])
    rows = by_code(month_cap_rows(OCT, POLICY))
    assert set(rows) == {"hq", "sales", "ops"}
    sales, ops, hq = rows["sales"], rows["ops"], rows["hq"]
    assert (sales.online_seconds, sales.offline_seconds) == (10 * H, 17 * H)
    assert sales.counted_seconds == 10 * H  # travel-heavy: 50 % → up to 17 h beside 17 h
    assert (ops.online_seconds, ops.offline_seconds) == (5 * H, 7 * H)
    assert ops.counted_seconds == 3 * H  # 30 %: up to 3 h beside 7 h
    assert (hq.online_seconds, hq.offline_seconds, hq.counted_seconds) == (H, 0, 0)


def test_above_the_cap_the_excess_is_reported_not_counted(tree):  # P-24
    study(tree["worker"], local(2026, 10, 2, 19), 10)
    classroom("s-ops", local(2026, 10, 7, 14), 840, [tree["worker"]])  # 14 h
    (ops,) = month_cap_rows(OCT, POLICY)
    assert ops.counted_seconds == 6 * H and ops.excess_seconds == 4 * H
    row = hours_report(OCT, POLICY)["rows"][0]
    assert row["unit"] == "ops"
    assert row["online_hours"] == Decimal("10.00")
    assert row["counted_online_hours"] == Decimal("6.00")
    assert row["excess_hours"] == Decimal("4.00")
    assert row["share"] == Decimal("0.3000")


def test_a_closed_month_records_its_hours_once(tree):  # P-24, P-33
    study(tree["worker"], local(2026, 10, 2, 19), 10)
    classroom("s-ops", local(2026, 10, 7, 14), 840, [tree["worker"]])
    close(OCT, now=local(2026, 11, 1, 0, 5))
    stored = list(UnitMonthHours.objects.values_list("period", "online_seconds", "counted_seconds"))
    assert stored == [("2026-10", 10 * H, 6 * H)]
    assert AuditEvent.objects.filter(verb="hours.recorded").count() == 10  # Jan..Oct
    study(tree["worker"], local(2026, 10, 3, 19), 1)  # recorded late
    close(OCT, now=local(2026, 11, 2))
    assert UnitMonthHours.objects.get(period="2026-10").online_seconds == 10 * H
    report = hours_report(OCT, POLICY)
    assert report["closed"] is True and report["rows"][0]["online_hours"] == Decimal("10.00")
    # An open month is computed live.
    assert hours_report(period_from_label("2026-11", TZ), POLICY)["closed"] is False


def test_the_report_of_one_unit_keeps_its_subtree(tree):  # P-24
    study(tree["seller"], local(2026, 10, 5, 19), 6)
    study(tree["worker"], local(2026, 10, 5, 19), 6)
    assert [row["unit"] for row in hours_report(OCT, POLICY)["rows"]] == ["ops", "sales"]
    assert [row["unit"] for row in hours_report(OCT, POLICY, unit_code="sales")["rows"]] == [
        "sales"
    ]
