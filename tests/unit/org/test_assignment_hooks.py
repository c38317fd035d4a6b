"""The org writers apply the job roles' assignment rules: once per call, for everyone affected.

P-14: required courses are assigned by job role, so a hire, a new job role and a new unit
reach `courses.assignment_rules.apply_for_people`, in the writer's transaction, with every
affected learner in one call (never once per learner), and nobody else. The courses side is
replaced here by a fake that records its calls; its own tests cover what it assigns.
"""

from __future__ import annotations

import sys
import types
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from elearn_plugin import audit
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.loading.writer import load_data
from elearn_plugin.org import history, services
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.org.provisioning_rows import ProvisionRow

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 1, tzinfo=UTC)
T1 = datetime(2025, 4, 1, tzinfo=UTC)


class Rules:
    """The fake courses side: each call's learners, actor and time; optionally failing."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[int], object, object]] = []
        self.fail = False

    def apply_for_people(self, user_ids, *, actor=None, when=None):
        assert connection.in_atomic_block  # inside the writer's transaction
        self.calls.append((list(user_ids), actor, when))
        if self.fail:
            raise RuntimeError("the rules failed")

    @property
    def learners(self) -> list[list[int]]:
        return [ids for ids, _actor, _when in self.calls]


@pytest.fixture
def rules(monkeypatch) -> Rules:
    fake = Rules()
    module = types.ModuleType("elearn_plugin.courses.assignment_rules")
    module.apply_for_people = fake.apply_for_people
    monkeypatch.setitem(sys.modules, "elearn_plugin.courses.assignment_rules", module)
    return fake


def row(line: int, employee_id: str, unit: str = "hq", role: str = "clerk") -> ProvisionRow:
    username = f"user.{employee_id.lower()}"
    return ProvisionRow(line, employee_id, username, "N", f"{username}@example.com", unit, role)


def user_of(employee_id: str) -> int:
    return Person.objects.get(employee_id=employee_id).user_id


@pytest.fixture
def people(tree, roles, make_user):
    """Learners in hq as clerks, each with an open membership."""

    def make(n: int) -> list[int]:
        users = [make_user() for _ in range(n)]
        Person.objects.bulk_create(
            [
                Person(
                    user=u,
                    employee_id=f"P{u.pk}",
                    name="x",
                    unit=tree["hq"],
                    job_role=roles["clerk"],
                )
                for u in users
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, unit=tree["hq"], valid_from=T0) for u in users]
        )
        return [u.pk for u in users]

    return make


def test_provisioning_applies_the_rules_to_every_new_hire_at_once(tree, roles, rules):  # P-14
    report = services.provision(
        [row(2, "A1"), row(3, "A2"), row(4, "A3")], update=False, actor=None
    )
    assert report.created == 3
    assert rules.learners == [sorted(user_of(e) for e in ("A1", "A2", "A3"))]
    ids, actor, when = rules.calls[0]
    assert actor == audit.resolve(None) and when is None  # assigned now, by the importer


def test_provisioning_updates_apply_them_to_new_roles_and_units_only(tree, roles, rules):  # P-14
    services.provision([row(2, "A1"), row(3, "A2"), row(4, "A3")], update=False, actor=None)
    rules.calls.clear()
    changed = [
        row(2, "A1", role="engineer"),  # new job role
        row(3, "A2", unit="sales"),  # transfer
        ProvisionRow(4, "A3", "user.a3", "Renamed", "user.a3@example.com", "hq", "clerk"),
        row(5, "A4"),  # hired in the same file
    ]
    report = services.provision(changed, update=True, actor=None)
    assert (report.created, report.updated) == (1, 3)
    assert rules.learners == [sorted(user_of(e) for e in ("A1", "A2", "A4"))]


def test_a_dry_run_or_a_file_with_problems_applies_nothing(tree, roles, rules):  # P-14, P-33
    services.provision([row(2, "A1")], update=False, actor=None, dry_run=True)
    services.provision([row(2, "A1"), row(3, "A2", unit="nowhere")], update=False, actor=None)
    assert rules.calls == []
    services.provision([row(2, "A1")], update=False, actor=None)
    rules.calls.clear()
    services.provision([row(2, "A1")], update=True, actor=None)  # unchanged
    assert rules.calls == []


def test_update_person_applies_them_once_for_a_new_role_or_unit(tree, roles, people, rules):
    # P-14
    (user_id,) = people(1)
    person = Person.objects.get(user_id=user_id)
    services.update_person(person.pk, name="Renamed")
    assert rules.calls == []
    services.update_person(person.pk, job_role_id=roles["engineer"].pk)
    services.update_person(
        person.pk, job_role_id=roles["clerk"].pk, unit_id=tree["sales"].pk, when=T1
    )
    assert rules.learners == [[user_id], [user_id]]  # one call each, the learner once


def test_set_units_bulk_applies_them_once_to_the_movers(tree, people, rules):  # P-6, P-14
    users = people(30)
    moves = [
        (uid, tree["hq"].id if i % 3 == 0 else tree["sales"].id) for i, uid in enumerate(users)
    ]
    assert services.set_units_bulk(moves, T1) == 20
    assert rules.learners == [sorted(uid for uid, unit in moves if unit == tree["sales"].id)]
    assert services.set_units_bulk(moves, T1) == 0  # nobody moved: no call
    assert len(rules.calls) == 1


def test_a_failure_of_the_rules_undoes_the_writer(tree, people, rules):  # P-14, P-33
    (user_id,) = people(1)
    rules.fail = True
    recorded = AuditEvent.objects.count()
    with pytest.raises(RuntimeError):
        services.set_unit(user_id, tree["sales"].id, T1)
    assert Person.objects.get(user_id=user_id).unit_id == tree["hq"].id
    assert Membership.objects.filter(user_id=user_id).count() == 1
    assert AuditEvent.objects.count() == recorded


def test_record_history_applies_them_to_the_hired_and_the_moved(tree, people, rules):  # P-14
    hired, moved, departed, unchanged = people(4)
    entries = [
        history.HistoryEntry(hired, hired_on=date(2024, 1, 2)),
        history.HistoryEntry(
            moved,
            joined_unit_id=tree["hq"].id,
            transfers=(history.Transfer(date(2025, 3, 10), tree["sales"].id),),
        ),
        history.HistoryEntry(departed, left_on=date(2025, 3, 31)),
        history.HistoryEntry(unchanged),
    ]
    services.record_history(entries, tz=TZ)
    assert rules.learners == [sorted([hired, moved])]
    services.record_history(entries, tz=TZ)  # the same again: nobody is affected
    assert len(rules.calls) == 1


@pytest.mark.django_db
def test_loading_a_file_calls_each_writer_once(rules):  # P-14
    data = {
        "units": [{"code": "g", "name": "G"}, {"code": "hr", "name": "HR", "parent": "g"}],
        "job_roles": [{"code": "clerk", "name": "Clerk"}],
        "people": [
            {"employee_id": f"E{i}", "username": f"u{i}", "name": "N", "unit": "g",
             "job_role": "clerk", "hired": "2024-01-02"}
            for i in range(5)
        ],
        "transfers": [{"employee_id": "E0", "unit": "hr", "date": "2024-06-03"}],
    }  # fmt: skip
    load_data(data, TZ)
    everyone = sorted(user_of(f"E{i}") for i in range(5))
    # Provisioning (the accounts) and the history (their hire dates, E0's transfer).
    assert rules.learners == [everyone, everyone]
    rules.calls.clear()
    load_data(data, TZ)
    assert rules.calls == []
