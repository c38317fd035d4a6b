"""Transfer, departure and re-hire end to end: records intact, contacts and HR told once,
sign-in refused, seats freed by status, the same person back (P-2, P-6, P-7, P-31, P-32)."""

from datetime import timedelta

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.lifecycle import services as lifecycle
from elearn_plugin.lifecycle.signals import employee_departed, employee_transferred
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.standing.blocks import active_block
from elearn_plugin.standing.models import Sanction
from elearn_plugin.standing.services import impose
from tests.unit.lifecycle.conftest import JOINED, LEFT, MOVED
from tests.unit.month_close.conftest import local


def _handovers() -> dict[int, dict]:
    return {
        m.user_id: m.context for m in OutboxMessage.objects.filter(message_type="transfer_handover")
    }


def test_a_transfer_moves_the_learner_and_tells_both_contacts_and_hr_once(
    learner, org_tree, django_capture_on_commit_callbacks
):  # P-6
    hr, sales, it = org_tree["hr"], org_tree["sales"], org_tree["it"]
    before = (Assignment.objects.filter(user_id=learner).count(), LedgerEntry.objects.count())
    sent = []
    employee_transferred.connect(lambda **kw: sent.append(kw["user_ids"]), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.transfer_bulk([(learner, it.id)], MOVED, actor=hr) == [learner]
    stays = list(
        Membership.objects.filter(user_id=learner)
        .order_by("valid_from")
        .values_list("unit_id", "valid_to")
    )
    assert stays[-2:] == [(sales.id, MOVED), (it.id, None)]
    assert Person.objects.get(user_id=learner).unit_id == it.id
    # Tasks, completions and credits are the learner's: they moved with them, none lost.
    assert (Assignment.objects.filter(user_id=learner).count(), LedgerEntry.objects.count()) == (
        before
    )
    assert CourseCompletion.objects.filter(user_id=learner).count() == 1
    messages = _handovers()
    assert set(messages) == {org_tree["sales_contact"].id, org_tree["it_contact"].id, hr.id}
    assert messages[hr.id]["learners"] == [
        {"learner_name": "x", "from_unit": "Sales", "to_unit": "IT"}
    ]
    assert messages[hr.id]["effective_on"] == "2026-03-16"
    assert sent == [[learner]]
    event = AuditEvent.objects.filter(verb="membership.changed").latest("id")
    assert (event.actor_user_id, event.data["unit_id"]) == (hr.id, it.id)
    # The same transfer again: nobody moves, nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.transfer_bulk([(learner, it.id)], MOVED + timedelta(hours=1)) == []
    assert len(_handovers()) == 3 and sent == [[learner]]


def test_a_unit_without_contacts_tells_the_nearest_above(learner, org_tree, make_user):  # P-6
    team, _ = org.create_unit("it-ops", "IT operations", parent_id=org_tree["it"].id)
    lifecycle.transfer_bulk([(learner, team.id)], MOVED)
    assert org_tree["it_contact"].id in _handovers()


def test_departure_freezes_the_account_and_keeps_every_record(
    learner, org_tree, django_capture_on_commit_callbacks
):  # P-7
    hr = org_tree["hr"]
    records = (
        Assignment.objects.count(),
        CourseCompletion.objects.count(),
        LedgerEntry.objects.count(),
    )
    sent = []
    employee_departed.connect(lambda **kw: sent.append(kw["user_ids"]), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.depart_bulk([learner], LEFT, actor=hr) == [learner]
    person = Person.objects.get(user_id=learner)
    assert (person.status, person.left_on.isoformat()) == (Person.DEPARTED, "2026-04-30")
    assert not Membership.objects.filter(user_id=learner, valid_to__isnull=True).exists()
    assert not person.user.has_usable_password()
    block = active_block(learner, LEFT + timedelta(minutes=1))
    assert block is not None and block.kind == "freeze"
    assert (
        Assignment.objects.count(),
        CourseCompletion.objects.count(),
        LedgerEntry.objects.count(),
    ) == records
    assert OutboxMessage.objects.filter(message_type="account_frozen", user_id=learner).count() == 1
    event = AuditEvent.objects.get(verb="person.departed")
    assert (event.actor_user_id, event.data) == (
        hr.id,
        {"unit_id": org_tree["sales"].id, "left_on": "2026-04-30"},
    )
    assert sent == [[learner]]
    # Departing again changes nothing and sends nothing.
    assert lifecycle.depart_bulk([learner], LEFT + timedelta(days=1)) == []
    assert Sanction.objects.filter(user_id=learner).count() == 1
    assert AuditEvent.objects.filter(verb="person.departed").count() == 1


def test_a_departed_learner_cannot_sign_in_with_their_old_password(client, learner):  # P-7
    user = Person.objects.get(user_id=learner).user
    user.set_password("right-pass")
    user.save()
    lifecycle.depart_bulk([learner], LEFT)
    response = client.post("/login/", {"username": user.username, "password": "right-pass"})
    assert response.status_code in (400, 403)
    assert "_auth_user_id" not in client.session


def test_a_rehire_reopens_the_same_person_in_a_unit(learner, org_tree):  # P-7
    lifecycle.depart_bulk([learner], LEFT)
    impose(learner, "revocation", "missed_task_months", "hr:case-9", starts_at=LEFT)
    back = local(2026, 9, 1, 9)
    people_before = Person.objects.count()
    assert lifecycle.rehire_bulk([(learner, org_tree["it"].id)], back) == [learner]
    person = Person.objects.get(user_id=learner)
    assert Person.objects.count() == people_before
    assert (person.status, person.unit_id, person.hired_on.isoformat(), person.left_on) == (
        Person.ACTIVE,
        org_tree["it"].id,
        "2026-09-01",
        None,
    )
    assert Membership.objects.get(user_id=learner, valid_to__isnull=True).valid_from == back
    freeze = Sanction.objects.get(user_id=learner, kind="freeze")
    assert freeze.lifted_at is not None
    # The revocation is not the departure's: it stays until HR lifts it.
    assert active_block(learner, back + timedelta(minutes=1)).kind == "revocation"
    assert AuditEvent.objects.filter(verb="person.rehired").count() == 1
    assert lifecycle.rehire_bulk([(learner, org_tree["it"].id)], back) == []


def test_transfer_of_a_departed_person_is_refused_and_changes_nothing(learner, org_tree):  # P-6
    lifecycle.depart_bulk([learner], LEFT)
    stays = Membership.objects.count()
    with pytest.raises(lifecycle.LifecycleError, match="re-hire"):
        lifecycle.transfer_bulk([(learner, org_tree["it"].id)], LEFT + timedelta(days=3))
    assert Membership.objects.count() == stays


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda u, t: lifecycle.depart_bulk([u], LEFT.replace(tzinfo=None)), "time zone"),
        (lambda u, t: lifecycle.depart_bulk([u, 999_999], LEFT), "do not belong"),
        (lambda u, t: lifecycle.depart_bulk(["x"], LEFT), "user id"),
        (lambda u, t: lifecycle.depart_bulk([u], local(2025, 1, 1)), "before"),
        (lambda u, t: lifecycle.transfer_bulk([(u, t["it"].id)], local(2025, 1, 1)), "before"),
        (lambda u, t: lifecycle.transfer_bulk([(u, 999_999)], MOVED), "unit"),
        (lambda u, t: lifecycle.transfer_bulk([(u, "x")], MOVED), "pair"),
        (lambda u, t: lifecycle.transfer_bulk([u], MOVED), "pair"),
        (lambda u, t: lifecycle.rehire_bulk([(u, t["it"].id), (u, t["hq"].id)], MOVED), "two"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(learner, org_tree, call, message):
    # P-6, P-7
    counts = (Membership.objects.count(), Sanction.objects.count(), AuditEvent.objects.count())
    with pytest.raises(lifecycle.LifecycleError, match=message):
        call(learner, org_tree)
    assert (
        Membership.objects.count(),
        Sanction.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert Person.objects.get(user_id=learner).status == Person.ACTIVE


@pytest.mark.parametrize("size", [3, 30])
def test_bulk_departure_and_transfer_keep_a_constant_number_of_queries(
    people,
    org_tree,
    size,
    django_assert_max_num_queries,  # noqa: F811
):  # P-7
    ids = people(size, JOINED)
    with django_assert_max_num_queries(25):
        assert len(lifecycle.transfer_bulk([(u, org_tree["it"].id) for u in ids], MOVED)) == size
    with django_assert_max_num_queries(25):
        assert len(lifecycle.depart_bulk(ids, LEFT)) == size


def test_a_departed_contact_no_longer_answers_for_a_unit(people, org_tree):  # P-7, P-31
    from elearn_plugin.org.models import TrainingContact

    contact = org_tree["sales_contact"]
    Person.objects.create(user=contact, employee_id="E-c", name="c", unit=org_tree["sales"])
    org.set_units_bulk([(contact.id, org_tree["sales"].id)], JOINED)
    lifecycle.depart_bulk([contact.id], LEFT, actor=org_tree["hr"])
    assert not TrainingContact.objects.filter(user=contact).exists()
    event = AuditEvent.objects.get(verb="contact.removed")
    assert (event.actor_user_id, event.data) == (
        org_tree["hr"].id,
        {"unit_id": org_tree["sales"].id},
    )


def test_the_receivers_forget_cached_roles_after_commit(
    learner, monkeypatch, django_capture_on_commit_callbacks
):  # P-7, P-31: a departed officer's or contact's reach is read again at once
    from elearn_plugin.lifecycle import receivers

    forgotten = []
    monkeypatch.setattr(receivers, "invalidate_roles", forgotten.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.depart_bulk([learner], LEFT)
    assert forgotten == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert forgotten == [[learner]]


def test_seats_a_departure_frees_and_a_return_or_move_must_fit(learner, org_tree, people):
    # P-2, P-7: used seats are active people; a re-hire or a move into a full pool is refused
    from elearn_plugin.seats.services import seat_report, set_seats

    hr, it = org_tree["hr"], org_tree["it"]
    set_seats(org_tree["sales"].id, 1, actor=hr)
    set_seats(it.id, 0, actor=hr)
    used = {line.unit_code: (line.used, line.free) for line in seat_report()}
    assert used == {"sales": (1, 0), "it": (0, 0)}
    with pytest.raises(lifecycle.LifecycleError, match="free seats"):
        lifecycle.transfer_bulk([(learner, it.id)], MOVED)
    lifecycle.depart_bulk([learner], LEFT)
    assert {line.unit_code: line.free for line in seat_report()}["sales"] == 1
    with pytest.raises(lifecycle.LifecycleError, match="free seats"):
        lifecycle.rehire_bulk([(learner, it.id)], LEFT + timedelta(days=30))
    assert Person.objects.get(user_id=learner).status == Person.DEPARTED
    assert lifecycle.rehire_bulk([(learner, org_tree["sales"].id)], LEFT + timedelta(days=30))
