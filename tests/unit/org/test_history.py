"""`org.record_history`: HR's hire and leaving dates and unit history, over what is recorded.

P-1 (one unit at a time, memberships without gaps or overlaps), P-6 (transfers keep the
history), P-7 (leaving does not freeze here), P-11 (every change audited), P-33 (the same
history again changes nothing; a refused one writes nothing).
"""

from __future__ import annotations

import sys
import types
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org import history, services
from elearn_plugin.org.models import Membership, Person

TZ = ZoneInfo("Asia/Shanghai")
LOADED = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)  # when the people were first loaded
HIRED = date(2023, 5, 6)
T1 = date(2024, 3, 1)
T2 = date(2024, 9, 2)
LEFT = date(2025, 1, 31)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)


@pytest.fixture(autouse=True)
def rules_calls(monkeypatch):
    """A stand-in for the courses side, recording the org writers' calls (P-14)."""
    calls: list[list[int]] = []
    fake = types.ModuleType("elearn_plugin.courses.assignment_rules")
    fake.apply_for_people = lambda user_ids, *, actor=None, when=None: calls.append(user_ids)
    monkeypatch.setitem(sys.modules, "elearn_plugin.courses.assignment_rules", fake)
    return calls


@pytest.fixture
def person(tree, make_user):
    """A learner first loaded into hq without a history: one membership from the load."""

    def make(employee_id: str = "E1", unit: str = "hq") -> Person:
        user = make_user()
        found = Person.objects.create(user=user, employee_id=employee_id, name="N", unit=tree[unit])
        Membership.objects.create(user=user, unit=tree[unit], valid_from=LOADED)
        return found

    return make


def stays(user_id: int) -> list[tuple]:
    return list(
        Membership.objects.filter(user_id=user_id)
        .order_by("valid_from")
        .values_list("unit__code", "valid_from", "valid_to", "open_flag")
    )


def events(verb: str) -> list[dict]:
    return [e.data for e in AuditEvent.objects.filter(verb=verb).order_by("id")]


def full_history(tree, user_id: int) -> history.HistoryEntry:
    return history.HistoryEntry(
        user_id,
        hired_on=HIRED,
        left_on=LEFT,
        joined_unit_id=tree["hq"].id,
        transfers=(
            history.Transfer(T1, tree["sales"].id),
            history.Transfer(T2, tree["hq"].id),
        ),
    )


def test_hire_transfers_and_left_give_that_history(tree, person):  # P-1, P-6
    learner = person()
    AuditEvent.objects.all().delete()
    report = services.record_history([full_history(tree, learner.user_id)], tz=TZ)
    assert (report.changed, report.created) == (1, 2)
    # 00:00 of each day in the policy's zone, stored in UTC; `left` ends at the end of its day.
    assert stays(learner.user_id) == [
        ("hq", local_midnight(HIRED), local_midnight(T1), None),
        ("sales", local_midnight(T1), local_midnight(T2), None),
        ("hq", local_midnight(T2), local_midnight(date(2025, 2, 1)), None),
    ]
    learner.refresh_from_db()
    assert (learner.hired_on, learner.left_on, learner.unit_id) == (HIRED, LEFT, tree["hq"].id)
    assert events("person.updated") == [{"changed_fields": ["hired_on", "left_on"]}]
    assert events("membership.changed") == [
        {"unit_id": tree["hq"].id, "old_unit_id": None, "starts_at": "2023-05-05T16:00:00+00:00"},
        {
            "unit_id": tree["sales"].id,
            "old_unit_id": tree["hq"].id,
            "starts_at": "2024-02-29T16:00:00+00:00",
        },
        {
            "unit_id": tree["hq"].id,
            "old_unit_id": tree["sales"].id,
            "starts_at": "2024-09-01T16:00:00+00:00",
        },
        {"unit_id": None, "old_unit_id": tree["hq"].id, "starts_at": "2025-01-31T16:00:00+00:00"},
    ]


def test_leaving_does_not_freeze_the_account(tree, person):  # P-7 is the lifecycle's
    learner = person()
    left = date(2025, 7, 31)
    services.record_history([history.HistoryEntry(learner.user_id, left_on=left)], tz=TZ)
    learner.refresh_from_db()
    assert learner.left_on == left
    assert learner.status == Person.ACTIVE and learner.user.is_active
    assert not Membership.objects.filter(user_id=learner.user_id, open_flag=True).exists()


def test_the_same_history_again_changes_nothing_and_records_nothing(tree, person):  # P-33
    learner = person()
    services.record_history([full_history(tree, learner.user_id)], tz=TZ)
    before, recorded = stays(learner.user_id), AuditEvent.objects.count()
    report = services.record_history([full_history(tree, learner.user_id)], tz=TZ)
    assert (report.changed, report.created) == (0, 0)
    assert stays(learner.user_id) == before
    assert AuditEvent.objects.count() == recorded


def test_changed_dates_move_their_boundaries_only(tree, person):  # P-6, P-33
    learner = person()
    services.record_history([full_history(tree, learner.user_id)], tz=TZ)
    AuditEvent.objects.all().delete()
    changed = history.HistoryEntry(
        learner.user_id,
        hired_on=date(2023, 1, 9),
        left_on=date(2025, 3, 31),
        joined_unit_id=tree["hq"].id,
        transfers=(
            history.Transfer(date(2024, 4, 15), tree["sales"].id),
            history.Transfer(T2, tree["hq"].id),
        ),
    )
    ids = set(Membership.objects.filter(user_id=learner.user_id).values_list("id", flat=True))
    assert services.record_history([changed], tz=TZ).changed == 1
    assert stays(learner.user_id) == [
        ("hq", local_midnight(date(2023, 1, 9)), local_midnight(date(2024, 4, 15)), None),
        ("sales", local_midnight(date(2024, 4, 15)), local_midnight(T2), None),
        ("hq", local_midnight(T2), local_midnight(date(2025, 4, 1)), None),
    ]
    # The same rows, moved: history is corrected, never duplicated.
    assert (
        set(Membership.objects.filter(user_id=learner.user_id).values_list("id", flat=True)) == ids
    )
    assert events("person.updated") == [{"changed_fields": ["hired_on", "left_on"]}]
    assert [e["starts_at"][:10] for e in events("membership.changed")] == [
        "2023-01-08",
        "2024-04-14",
        "2025-03-31",
    ]


def test_history_given_later_is_laid_before_what_was_recorded(tree, person):  # P-6
    # Loaded first as it is now (in sales since the load), then with its real history.
    learner = person(unit="sales")
    (row_id,) = Membership.objects.filter(user_id=learner.user_id).values_list("id", flat=True)
    entry = history.HistoryEntry(
        learner.user_id,
        hired_on=HIRED,
        joined_unit_id=tree["hq"].id,
        transfers=(history.Transfer(T1, tree["sales"].id),),
    )
    assert services.record_history([entry], tz=TZ).created == 1
    assert stays(learner.user_id) == [
        ("hq", local_midnight(HIRED), local_midnight(T1), None),
        ("sales", local_midnight(T1), None, True),
    ]
    assert Membership.objects.get(id=row_id).unit_id == tree["sales"].id  # kept, moved back


def test_a_later_transfer_extends_the_history(tree, person):  # P-6
    learner = person()
    first = history.HistoryEntry(
        learner.user_id,
        hired_on=HIRED,
        joined_unit_id=tree["hq"].id,
        transfers=(history.Transfer(T1, tree["sales"].id),),
    )
    services.record_history([first], tz=TZ)
    more = history.HistoryEntry(
        learner.user_id,
        joined_unit_id=tree["hq"].id,
        transfers=(*first.transfers, history.Transfer(T2, tree["sub_it"].id)),
    )
    assert services.record_history([more], tz=TZ).created == 1
    assert [s[0] for s in stays(learner.user_id)] == ["hq", "sales", "sub-it"]
    assert Person.objects.get(id=learner.id).unit_id == tree["sub_it"].id


def test_a_move_made_on_the_platform_after_the_history_is_kept(tree, person):  # P-6, P-33
    learner = person()
    entry = full_history(tree, learner.user_id)
    entry = history.HistoryEntry(
        entry.user_id, hired_on=HIRED, joined_unit_id=tree["hq"].id, transfers=entry.transfers
    )
    services.record_history([entry], tz=TZ)
    services.set_unit(learner.user_id, tree["sub"].id, datetime(2025, 8, 1, tzinfo=UTC))
    recorded = AuditEvent.objects.count()
    assert services.record_history([entry], tz=TZ).changed == 0
    assert [s[0] for s in stays(learner.user_id)] == ["hq", "sales", "hq", "sub"]
    assert AuditEvent.objects.count() == recorded


def _refused(entries, tz=TZ) -> list[history.HistoryProblem]:
    with pytest.raises(history.HistoryError) as info:
        services.record_history(entries, tz=tz)
    return info.value.problems


def test_a_hire_date_after_a_recorded_move_is_refused_and_nothing_written(tree, person):
    # P-6, P-33: the later history contradicts the new hire date.
    learner = person()
    services.set_unit(learner.user_id, tree["sales"].id, datetime(2025, 8, 1, 2, 30, tzinfo=UTC))
    before, recorded = stays(learner.user_id), AuditEvent.objects.count()
    (problem,) = _refused([history.HistoryEntry(learner.user_id, hired_on=date(2025, 9, 1))])
    assert (problem.employee_id, problem.part, problem.transfer) == ("E1", "hired", None)
    assert problem.message == (
        'employee E1: hired 2025-09-01 is not before their move to unit "sales" '
        "on 2025-08-01 10:30."
    )
    assert stays(learner.user_id) == before and AuditEvent.objects.count() == recorded
    assert Person.objects.get(id=learner.id).hired_on is None


def test_leaving_before_the_last_move_is_refused(tree, person):  # P-6
    learner = person()
    (problem,) = _refused([history.HistoryEntry(learner.user_id, left_on=date(2025, 5, 1))])
    assert problem.part == "left"
    assert problem.message == (
        'employee E1: left 2025-05-01 is before they joined unit "hq" (2025-06-02 11:00).'
    )


def test_units_that_contradict_the_recorded_ones_are_refused(tree, person):  # P-6
    learner = person()
    services.record_history(
        [
            history.HistoryEntry(
                learner.user_id,
                hired_on=HIRED,
                joined_unit_id=tree["hq"].id,
                transfers=(history.Transfer(T1, tree["sales"].id),),
            )
        ],
        tz=TZ,
    )
    other = history.HistoryEntry(
        learner.user_id,
        hired_on=HIRED,
        joined_unit_id=tree["hq"].id,
        transfers=(history.Transfer(T1, tree["sub_it"].id),),
    )
    (problem,) = _refused([other])
    assert (problem.part, problem.transfer) == ("transfer", 0)
    assert problem.message == (
        'employee E1: the transfer on 2024-03-01 is to unit "sub-it", but their recorded '
        'history has unit "sales" there (from 2024-03-01).'
    )


def test_every_conflicting_learner_is_listed_and_nobody_is_written(tree, person):  # P-33
    fine, late, early = person("E1"), person("E2"), person("E3")
    services.set_unit(late.user_id, tree["sales"].id, datetime(2025, 8, 1, tzinfo=UTC))
    recorded = AuditEvent.objects.count()
    problems = _refused(
        [
            history.HistoryEntry(fine.user_id, hired_on=HIRED),
            history.HistoryEntry(late.user_id, hired_on=date(2025, 9, 1)),
            history.HistoryEntry(early.user_id, left_on=date(2025, 5, 1)),
        ]
    )
    assert [(p.employee_id, p.part) for p in problems] == [("E2", "hired"), ("E3", "left")]
    assert Person.objects.get(id=fine.id).hired_on is None
    assert AuditEvent.objects.count() == recorded


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"transfers": "unsorted"}, "date order"),
        ({"transfers": "same unit"}, "another unit"),
        ({"joined_unit_id": None}, "the unit the learner joined"),
        ({"hired_on": T1}, "after the hire date"),
        ({"left_on": date(2024, 1, 1)}, "not be before"),
        ({"left_on": date(2999, 1, 1)}, "future"),
        ({"joined_unit_id": 999_999}, "does not exist"),
    ],
)
def test_bad_entries_are_refused_before_anything_is_read(tree, person, change, message):
    learner = person()
    entry = full_history(tree, learner.user_id).__dict__ | change
    if change.get("transfers") == "unsorted":
        entry["transfers"] = tuple(reversed(full_history(tree, learner.user_id).transfers))
    elif change.get("transfers") == "same unit":
        entry["transfers"] = (history.Transfer(T1, tree["hq"].id),)
    with pytest.raises(services.OrgError, match=message):
        services.record_history([history.HistoryEntry(**entry)], tz=TZ)
    assert Person.objects.get(id=learner.id).hired_on is None


def test_a_learner_given_twice_or_outside_the_organisation_is_refused(tree, person, make_user):
    learner = person()
    with pytest.raises(services.OrgError, match="two histories"):
        services.record_history(
            [history.HistoryEntry(learner.user_id), history.HistoryEntry(learner.user_id)], tz=TZ
        )
    with pytest.raises(services.OrgError, match="does not belong"):
        services.record_history([history.HistoryEntry(make_user().pk, hired_on=HIRED)], tz=TZ)


def test_the_policy_zone_is_the_default(tree, person):  # P-1: the policy's calendar days
    learner = person()
    services.record_history([history.HistoryEntry(learner.user_id, hired_on=HIRED)])
    assert stays(learner.user_id)[0][1] == local_midnight(HIRED)  # the default is Shanghai


def test_a_departed_learner_moves_again_only_after_leaving(tree, person):  # P-1: no overlap
    learner = person()
    services.record_history([history.HistoryEntry(learner.user_id, left_on=date(2025, 7, 31))])
    with pytest.raises(services.OrgError):
        services.set_unit(learner.user_id, tree["sales"].id, datetime(2025, 7, 1, tzinfo=UTC))
    assert services.set_unit(learner.user_id, tree["sales"].id, datetime(2025, 9, 1, tzinfo=UTC))
    assert [s[3] for s in stays(learner.user_id)] == [None, True]


def _history_of_many(tree, make_user, n: int) -> list[history.HistoryEntry]:
    users = [make_user() for _ in range(n)]
    Person.objects.bulk_create(
        [Person(user=u, employee_id=f"M{u.pk}", name="x", unit=tree["hq"]) for u in users]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, unit=tree["hq"], valid_from=LOADED) for u in users]
    )
    return [full_history(tree, u.pk) for u in users]


def test_query_count_does_not_depend_on_the_number_of_learners(
    tree, make_user, django_assert_max_num_queries, rules_calls
):  # P-33: set-based, in chunks
    counts = []
    # (Sizes within what SQLite takes in one INSERT of the audit rows: 4 events a learner.)
    for n in (3, 20):
        entries = _history_of_many(tree, make_user, n)
        # Units' check, savepoint (3); lock the people, read the memberships (2); move the
        # rows, add the new ones, set the people (3); two audit INSERTs (2).
        with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as captured:
            assert services.record_history(entries, tz=TZ).changed == n
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert [len(ids) for ids in rules_calls] == [3, 20]  # once per call, never per learner


def test_chunks_are_written_one_statement_per_kind(tree, make_user, monkeypatch):  # P-33
    monkeypatch.setattr(history, "CHUNK", 10)
    entries = _history_of_many(tree, make_user, 25)
    with CaptureQueriesContext(connection) as captured:
        services.record_history(entries, tz=TZ)
    table = AuditEvent._meta.db_table
    audit_inserts = [q for q in captured if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(audit_inserts) == 2 * 3  # two verbs, three chunks
    assert Membership.objects.filter(open_flag=True).count() == 0  # all left
    assert Membership.objects.count() == 25 * 3
