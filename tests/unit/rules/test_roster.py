"""The roster diff and its guard at their edges (P-2, P-6, P-7), without a database."""

from datetime import date

import pytest

from elearn_plugin.rules.roster import (
    HELD_DEPARTURES,
    HELD_EMPTY,
    HELD_TRUNCATED,
    CurrentPerson,
    RosterDiff,
    RosterPerson,
    compute_diff,
    digest,
    guard,
)

TODAY = date(2026, 12, 2)


def person(emp: str, unit: str = "hq", role: str = "clerk", status: str = "active", **kw):
    return RosterPerson(emp, emp.lower(), "N", "", unit, role, status, **kw)


def here(unit: str = "hq", role: str | None = "clerk", status: str = "active"):
    return CurrentPerson(unit, role, status)


def test_new_active_employee_is_a_hire_and_new_leaver_is_ignored():  # P-2
    diff = compute_diff(
        [person("E1"), person("E2", status="left", left=date(2026, 1, 1))], {}, TODAY
    )
    assert [p.employee_id for p in diff.hires] == ["E1"]
    assert diff.changes == 1 and diff.roster_count == 2


def test_unit_change_is_a_transfer_and_role_change_is_separate():  # P-6
    current = {"E1": here(), "E2": here(), "E3": here()}
    roster = [person("E1", unit="sales"), person("E2", role="manager"), person("E3")]
    diff = compute_diff(roster, current, TODAY)
    assert [p.employee_id for p in diff.transfers] == ["E1"]
    assert [p.employee_id for p in diff.role_changes] == ["E2"]
    assert diff.unchanged_count == 1 and not diff.hires and not diff.departures


def test_a_person_without_a_role_here_gets_the_rosters():  # P-14 via P-6
    diff = compute_diff([person("E1")], {"E1": here(role=None)}, TODAY)
    assert [p.employee_id for p in diff.role_changes] == ["E1"]


def test_only_status_left_is_a_departure_absence_is_missing():  # P-7
    current = {"E1": here(), "E2": here(), "E3": here(status="departed")}
    diff = compute_diff([person("E1", status="left", left=date(2026, 11, 30))], current, TODAY)
    assert [p.employee_id for p in diff.departures] == ["E1"]
    assert diff.missing == ("E2",)  # E3 is departed here: not missing either


def test_a_departure_waits_for_the_end_of_its_left_day():  # P-7
    current = {"E1": here(), "E2": here()}
    roster = [
        person("E1", status="left", left=TODAY),
        person("E2", status="left", left=date(2026, 12, 1), unit="sales"),
    ]
    diff = compute_diff(roster, current, TODAY)
    assert diff.pending == ("E1",)
    assert [p.employee_id for p in diff.departures] == ["E2"]
    assert not diff.transfers  # a leaver is not moved first


def test_departed_here_active_in_roster_is_a_return():  # P-7
    current = {"E1": here(status="departed"), "E2": here(status="departed")}
    roster = [person("E1", unit="sales"), person("E2", status="left", left=date(2025, 1, 1))]
    diff = compute_diff(roster, current, TODAY)
    assert [p.employee_id for p in diff.returns] == ["E1"]
    assert not diff.transfers and diff.unchanged_count == 1


def test_same_roster_gives_an_empty_diff():  # P-33
    current = {"E1": here(), "E2": here(unit="sales", role="manager")}
    diff = compute_diff([person("E2", "sales", "manager"), person("E1")], current, TODAY)
    assert diff.empty and diff.unchanged_count == 2


def _diff(departures: int, roster_count: int, missing: int = 0) -> RosterDiff:
    return RosterDiff(
        departures=tuple(person(f"L{i}") for i in range(departures)),
        missing=tuple(f"M{i}" for i in range(missing)),
        roster_count=roster_count,
    )


@pytest.mark.parametrize(
    ("departures", "active", "held"),
    [
        (20, 100, False),  # under the minimum: never held for the share alone
        (21, 100, True),  # over both 20 and 5 % of 100
        (21, 1000, False),  # 21 is not more than 5 % of 1000
        (50, 1000, False),  # exactly 5 %: not more
        (51, 1000, True),
        (0, 0, False),
    ],
)
def test_guard_on_departures(departures, active, held):  # P-7
    reason = guard(_diff(departures, max(active, 1)), active, 0.05, 20)
    assert reason == (HELD_DEPARTURES if held else None)


def test_guard_with_minimum_zero_holds_on_the_share_alone():  # P-7
    assert guard(_diff(1, 10), 10, 0.05, 0) == HELD_DEPARTURES
    assert guard(_diff(0, 10), 10, 0.05, 0) is None


def test_guard_holds_an_empty_roster():  # P-7
    assert guard(_diff(0, 0), 100, 0.05, 20) == HELD_EMPTY
    assert guard(_diff(0, 0), 0, 0.05, 20) == HELD_EMPTY


@pytest.mark.parametrize(("missing", "held"), [(5, False), (6, True), (0, False)])
def test_guard_holds_a_truncated_roster(missing, held):  # P-7
    # 100 active: a roster listing 95 (missing 5) is whole enough; 94 is truncated.
    reason = guard(_diff(0, 100 - missing, missing), 100, 0.05, 20)
    assert reason == (HELD_TRUNCATED if held else None)


def test_digest_ignores_order_and_lines_but_not_content():  # P-33
    a = [person("E1", line=2), person("E2", line=3)]
    b = [person("E2", line=7), person("E1", line=9)]
    assert digest(a) == digest(b)
    assert digest(a) != digest([person("E1"), person("E2", unit="sales")])
