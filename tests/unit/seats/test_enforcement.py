"""Provisioning and the data-file loader refuse accounts beyond the seats (P-2, P-7)."""

import pytest
from django.contrib.auth import get_user_model

from elearn_plugin import audit
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.loading.writer import LoadError, load_data
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person, Unit
from elearn_plugin.org.provisioning_rows import ProvisionRow
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.seats.services import set_seats


@pytest.fixture
def clerk(db):
    with audit.acting_as("system:fixtures"):
        return org.upsert_job_role("clerk", "Clerk")[0]


def rows(n: int, unit: str, start: int = 1) -> list[ProvisionRow]:
    return [
        ProvisionRow(i + 1, f"E{i:04d}", f"user{i}", f"Name {i}", "", unit, "clerk")
        for i in range(start, start + n)
    ]


def test_provisioning_beyond_the_seats_is_refused_whole(tree, clerk, add_people):  # P-2
    add_people(tree["sub_it"], 3)
    set_seats(tree["sub"].pk, 5, actor=None)
    users_before = get_user_model().objects.count()
    report = org.provision(rows(5, "sub-it"), update=False, actor=None)
    assert not report.ok and not report.applied and report.created == 0
    assert [str(p) for p in report.problems] == [
        "line 0: unit: Unit sub has 2 free seats; 5 new accounts were asked for."
    ]
    assert get_user_model().objects.count() == users_before
    assert Person.objects.count() == 3
    assert not AuditEvent.objects.filter(verb="person.created").exists()
    # Within the free seats it goes through.
    assert org.provision(rows(2, "sub-it"), update=False, actor=None).applied
    assert Person.objects.count() == 5


def test_provisioning_a_departed_seat_again(tree, clerk, add_people):  # P-7
    people = add_people(tree["hq"], 2)
    set_seats(tree["hq"].pk, 2, actor=None)
    assert not org.provision(rows(1, "hq"), update=False, actor=None).ok
    Person.objects.filter(pk=people[0].pk).update(status=Person.DEPARTED)
    assert org.provision(rows(1, "hq"), update=False, actor=None).applied


def test_provisioning_a_move_into_a_full_pool_is_refused(tree, clerk):  # P-2
    assert org.provision(rows(2, "hq"), update=False, actor=None).applied
    set_seats(tree["sub"].pk, 0, actor=None)
    moved = rows(1, "sub-it")
    report = org.provision(moved, update=True, actor=None)
    assert [p.message for p in report.problems] == [
        "Unit sub has 0 free seats; 1 new accounts were asked for."
    ]
    assert Person.objects.get(employee_id="E0001").unit.code == "hq"
    # A move inside one pool takes no seat.
    set_seats(tree["group"].pk, 2, actor=None)
    assert org.provision(rows(1, "sales"), update=True, actor=None).applied


def test_a_dry_run_reports_the_shortfall(tree, clerk):  # P-2
    set_seats(tree["hq"].pk, 1, actor=None)
    report = org.provision(rows(2, "sales"), update=False, actor=None, dry_run=True)
    assert [p.message for p in report.problems] == [
        "Unit hq has 1 free seats; 2 new accounts were asked for."
    ]


def _data(n: int) -> dict:
    return {
        "units": [{"code": "newdept", "name": "New department", "parent": "sub"}],
        "job_roles": [{"code": "clerk", "name": "Clerk"}],
        "people": [
            {
                "employee_id": f"L{i:03d}",
                "username": f"loaded{i}",
                "name": f"Loaded {i}",
                "unit": "newdept",
                "job_role": "clerk",
            }
            for i in range(n)
        ],
    }


def test_loading_beyond_the_seats_is_refused_and_writes_nothing(tree, add_people):  # P-2
    add_people(tree["sub_it"], 1)
    set_seats(tree["sub"].pk, 3, actor=None)
    tz = get_policy().tz
    with pytest.raises(LoadError) as info:
        load_data(_data(3), tz)
    assert [str(p) for p in info.value.problems] == [
        "people: Unit sub has 2 free seats; 3 new accounts were asked for."
    ]
    assert not Unit.objects.filter(code="newdept").exists()
    assert Person.objects.count() == 1
    report = load_data(_data(2), tz)
    assert report.created["people"] == 2
    # Loading the same file again creates nobody, so it needs no seat.
    load_data(_data(2), tz)
