"""Used and free seats are counted, not stored (P-2, P-7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin import audit
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.seats.queries import SeatsError, check_room
from elearn_plugin.seats.services import seat_report, set_seats


def report():
    return {line.unit_code: (line.seats, line.used, line.free) for line in seat_report()}


def test_used_counts_active_people_of_the_subtree(tree, add_people):  # P-2
    add_people(tree["hq"], 2)
    add_people(tree["sales"], 3)
    add_people(tree["sub_it"], 1)
    set_seats(tree["hq"].pk, 10, actor=None)
    assert report() == {"hq": (10, 5, 5)}


def test_nested_pool_counts_its_allocation_in_the_parent(tree, add_people):  # P-2
    add_people(tree["hq"], 2)
    add_people(tree["sub_it"], 3)
    set_seats(tree["group"].pk, 20, actor=None)
    set_seats(tree["sub"].pk, 8, actor=None)
    # The group uses hq's 2 people and sub's whole allocation of 8 (not its 3 people).
    assert report() == {"group": (20, 10, 10), "sub": (8, 3, 5)}
    lines = {line.unit_code: line.parent_code for line in seat_report()}
    assert lines == {"group": None, "sub": "group"}


def test_departed_person_frees_the_seat(tree, add_people):  # P-7
    people = add_people(tree["sales"], 3)
    add_people(tree["sales"], 2, status=Person.DEPARTED)
    set_seats(tree["hq"].pk, 3, actor=None)
    assert report() == {"hq": (3, 3, 0)}
    with pytest.raises(SeatsError):
        check_room({tree["sales"].pk: 1})
    Person.objects.filter(pk=people[0].pk).update(status=Person.DEPARTED)
    assert report() == {"hq": (3, 2, 1)}
    check_room({tree["sales"].pk: 1})  # the freed seat can be given to someone else


def test_check_room_names_the_unit_and_the_numbers(tree, add_people):  # P-2
    add_people(tree["sub_it"], 3)
    set_seats(tree["sub"].pk, 5, actor=None)
    with pytest.raises(SeatsError) as info:
        check_room({tree["sub_it"].pk: 5})
    assert str(info.value) == "Unit sub has 2 free seats; 5 new accounts were asked for."
    assert info.value.shortfalls[0].unit_code == "sub"
    check_room({tree["sub_it"].pk: 2})
    # A move inside the same pool takes no seat; a unit without a pool above has no limit.
    check_room({tree["sub_it"].pk: 1, tree["sub"].pk: -1})
    check_room({tree["hq"].pk: 1000})


def test_a_nested_pool_limits_its_units_not_the_parent(tree, add_people):  # P-2
    set_seats(tree["group"].pk, 10, actor=None)
    set_seats(tree["sub"].pk, 2, actor=None)
    with pytest.raises(SeatsError, match="Unit sub has 2 free seats; 3 new"):
        check_room({tree["sub_it"].pk: 3})
    check_room({tree["sub_it"].pk: 2, tree["hq"].pk: 8})
    with pytest.raises(SeatsError, match="Unit group has 8 free seats; 9 new"):
        check_room({tree["hq"].pk: 9})


def test_no_pool_means_no_limit(tree, add_people):  # P-2
    add_people(tree["hq"], 3)
    assert seat_report() == []
    check_room({tree["hq"].pk: 10_000})


def _pools(n: int, add_people) -> None:
    with audit.acting_as("system:fixtures"):
        root, _ = org.create_unit(f"root-{n}", "Root")
        for i in range(n):
            unit, _ = org.create_unit(f"u{n}-{i}", f"Unit {i}", parent_id=root.pk)
            add_people(unit, 1)
            set_seats(unit.pk, 5, actor=None)


@pytest.mark.django_db
def test_seat_report_takes_the_same_queries_for_2_and_20_pools(add_people):  # P-2
    counts = []
    for n in (2, 20):
        _pools(n, add_people)
        with CaptureQueriesContext(connection) as queries:
            lines = seat_report()
        counts.append(len(queries))
        assert all(line.used == 1 for line in lines if line.unit_code.startswith(f"u{n}-"))
    assert counts[0] == counts[1] <= 2
