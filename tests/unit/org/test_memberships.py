"""One unit at a time, with history (P-1)."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from elearn_plugin.org import services
from elearn_plugin.org.models import Membership, Person

T0 = datetime(2026, 3, 1, tzinfo=UTC)
T1 = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def learner(tree, make_user):
    user = make_user()
    Person.objects.create(user=user, employee_id="E1", name="Ada", unit=tree["hq"])
    Membership.objects.create(user=user, unit=tree["hq"], valid_from=T0)
    return user


def test_set_unit_closes_the_open_membership(tree, learner):  # P-1
    assert services.set_unit(learner.id, tree["sales"].id, T1) is True
    rows = list(Membership.objects.filter(user=learner).order_by("valid_from"))
    assert [(m.unit_id, m.valid_from, m.valid_to) for m in rows] == [
        (tree["hq"].id, T0, T1),
        (tree["sales"].id, T1, None),
    ]
    assert services.unit_id_of(learner.id) == tree["sales"].id


def test_set_unit_twice_changes_nothing(tree, learner):  # P-1
    services.set_unit(learner.id, tree["sales"].id, T1)
    assert services.set_unit(learner.id, tree["sales"].id, T1) is False
    assert Membership.objects.filter(user=learner).count() == 2


def test_database_refuses_a_second_open_membership(tree, learner):  # P-1
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=learner, unit=tree["sales"], valid_from=T1)


def test_closed_memberships_may_repeat(tree, learner):  # P-1
    services.set_unit(learner.id, tree["sales"].id, T1)
    services.set_unit(learner.id, tree["hq"].id, datetime(2026, 5, 1, tzinfo=UTC))
    assert Membership.objects.filter(user=learner, open_flag=True).count() == 1
    assert Membership.objects.filter(user=learner).count() == 3


def test_bad_unit_changes_are_refused(tree, learner, make_user):  # P-1
    with pytest.raises(services.OrgError):
        services.set_unit(learner.id, 999999, T1)
    with pytest.raises(services.OrgError):
        services.set_unit(learner.id, tree["sales"].id, datetime(2026, 4, 1))  # naive
    with pytest.raises(services.OrgError):
        services.set_unit(learner.id, tree["sales"].id, datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(services.OrgError):
        services.set_unit(make_user().id, tree["sales"].id, T1)
    with pytest.raises(services.OrgError):
        services.set_units_bulk([(learner.id, tree["sales"].id), (learner.id, tree["hq"].id)], T1)
    assert Membership.objects.filter(user=learner).count() == 1
    assert services.unit_id_of(learner.id) == tree["hq"].id


def test_bulk_unit_change(tree, make_user, django_assert_max_num_queries):  # P-1
    users = [make_user() for _ in range(30)]
    Person.objects.bulk_create(
        [Person(user=u, employee_id=f"B{u.id}", name="x", unit=tree["hq"]) for u in users]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, unit=tree["hq"], valid_from=T0) for u in users]
    )
    moves = [(u.id, tree["sales"].id if i % 2 else tree["sub"].id) for i, u in enumerate(users)]
    with django_assert_max_num_queries(12):
        assert services.set_units_bulk(moves, T1) == 30
    assert Membership.objects.filter(open_flag=True, unit=tree["sales"]).count() == 15
    assert Person.objects.filter(unit=tree["sub"]).count() == 15
    assert services.set_units_bulk(moves, T1) == 0


def test_unit_of_outsider_is_none(db, make_user):  # P-1
    assert services.unit_id_of(make_user().id) is None


def test_update_person(tree, learner, roles):  # P-1
    person = learner.elearn_person
    assert services.update_person(person.id, name="Ada L.", job_role_id=roles["clerk"].id) is True
    assert services.update_person(person.id, name="Ada L.") is False
    assert services.update_person(person.id, unit_id=tree["sales"].id, when=T1) is True
    person.refresh_from_db()
    assert (person.name, person.job_role_id, person.unit_id) == (
        "Ada L.",
        roles["clerk"].id,
        tree["sales"].id,
    )
    with pytest.raises(services.OrgError):
        services.update_person(person.id, job_role_id=999999)
    with pytest.raises(services.OrgError):
        services.update_person(999999, name="x")
