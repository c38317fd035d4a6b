"""Who sets seat pools, and what is refused (P-2, P-31)."""

import pytest
from django.core.exceptions import PermissionDenied

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.seats.models import SeatPool
from elearn_plugin.seats.services import SeatsError, seat_report, set_seats


def seats_of(unit) -> int | None:
    return SeatPool.objects.filter(unit=unit).values_list("seats", flat=True).first()


def test_hr_sets_a_pool_and_the_change_is_audited(tree, hr):  # P-2, P-11
    pool = set_seats(tree["group"].pk, 50, actor=hr)
    set_seats(tree["group"].pk, 60, actor=hr)
    events = list(AuditEvent.objects.filter(verb="seats.set").order_by("id"))
    assert [e.data for e in events] == [
        {"unit_id": tree["group"].pk, "seat_count": 50, "previous_count": None},
        {"unit_id": tree["group"].pk, "seat_count": 60, "previous_count": 50},
    ]
    assert {e.actor_user_id for e in events} == {hr.pk}
    assert events[0].target == f"elearn_plugin.seatpool:{pool.pk}"
    # The same count again changes and records nothing.
    set_seats(tree["group"].pk, 60, actor=hr)
    assert AuditEvent.objects.filter(verb="seats.set").count() == 2


def test_lead_allocates_to_a_sub_unit_within_free_seats(tree, hr, make_contact, add_people):  # P-2
    add_people(tree["hq"], 4)
    set_seats(tree["group"].pk, 10, actor=hr)
    lead = make_contact(tree["group"])
    set_seats(tree["sub"].pk, 6, actor=lead)  # 10 - 4 used
    assert seats_of(tree["sub"]) == 6
    event = AuditEvent.objects.filter(verb="seats.set").latest("id")
    assert event.actor_user_id == lead.pk
    with pytest.raises(SeatsError, match="Unit group has 0 free seats; sub asked for 1 more"):
        set_seats(tree["sub"].pk, 7, actor=lead)
    set_seats(tree["sub"].pk, 3, actor=lead)  # giving seats back is always possible
    assert {line.unit_code: line.free for line in seat_report()} == {"group": 3, "sub": 3}


def test_a_new_nested_pool_takes_only_its_free_part(tree, hr, add_people):  # P-2
    add_people(tree["sub_it"], 4)
    set_seats(tree["group"].pk, 5, actor=hr)  # 4 used, 1 free
    # The sub's 4 people already count in the group: a pool of 5 grows its use by 1.
    set_seats(tree["sub"].pk, 5, actor=hr)
    with pytest.raises(SeatsError, match="Unit group has 0 free seats"):
        set_seats(tree["sub"].pk, 6, actor=hr)


@pytest.mark.parametrize("who", ["other_lead", "non_lead", "learner", "lead_of_sub"])
def test_role_matrix_of_allocating(tree, hr, make_contact, learner, who):  # P-2, P-31
    set_seats(tree["group"].pk, 10, actor=hr)
    actor = {
        "other_lead": lambda: make_contact(tree["hq"]),  # leads another unit
        "non_lead": lambda: make_contact(tree["group"], lead=False),
        "learner": lambda: learner,
        # A lead may not allocate to their own unit's pool from the pool above them.
        "lead_of_sub": lambda: make_contact(tree["sub"]),
    }[who]()
    with pytest.raises(PermissionDenied):
        set_seats(tree["sub"].pk, 2, actor=actor)
    assert seats_of(tree["sub"]) is None
    assert not AuditEvent.objects.filter(verb="seats.set", actor_user_id=actor.pk).exists()


def test_only_hr_sets_a_top_pool(tree, make_contact):  # P-2, P-31
    lead = make_contact(tree["group"])
    with pytest.raises(PermissionDenied):
        set_seats(tree["group"].pk, 10, actor=lead)
    with pytest.raises(PermissionDenied):  # no pool above: nothing to allocate from
        set_seats(tree["sub"].pk, 10, actor=lead)


def test_lowering_below_used_is_refused(tree, hr, add_people):  # P-2
    add_people(tree["sales"], 3)
    set_seats(tree["hq"].pk, 5, actor=hr)
    with pytest.raises(SeatsError, match="Unit hq uses 3 seats; its pool cannot be set to 2"):
        set_seats(tree["hq"].pk, 2, actor=hr)
    set_seats(tree["hq"].pk, 3, actor=hr)
    # A parent holding a nested allocation cannot go below it either.
    set_seats(tree["group"].pk, 10, actor=hr)
    with pytest.raises(SeatsError, match="Unit group uses 3 seats"):
        set_seats(tree["group"].pk, 2, actor=hr)
    assert seats_of(tree["group"]) == 10


@pytest.mark.parametrize("bad", [-1, 2.5, "3", True, None])
def test_bad_counts_and_units_are_refused(tree, hr, bad):  # P-2
    with pytest.raises(SeatsError, match="whole number"):
        set_seats(tree["hq"].pk, bad, actor=hr)
    with pytest.raises(SeatsError, match="does not exist"):
        set_seats(999_999, 3, actor=hr)
    assert not SeatPool.objects.exists()
