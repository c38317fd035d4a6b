"""Fixtures of the lifecycle suite: a unit tree with contacts and HR, and a learner with
tasks and a completion in sales."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from elearn_plugin.org import services as org
from elearn_plugin.permissions import HR_GROUP
from tests.helpers.role_matrix import role_users  # noqa: F401 (a fixture)
from tests.unit.month_close.conftest import (  # noqa: F401 (fixtures)
    R1,
    R2,
    assign,
    complete,
    courses,
    local,
    people,
    units,
)

JOINED = local(2026, 1, 1)
MOVED = local(2026, 3, 16, 9)
LEFT = local(2026, 4, 30, 18)


@pytest.fixture
def org_tree(units, make_user):  # noqa: F811 (units)
    """hq > sales, hq > it; a contact in sales, one in it, and an HR officer."""
    it, _ = org.create_unit("it", "IT", parent_id=units["hq"].id)
    sales_contact, it_contact, hr = make_user(), make_user(), make_user()
    org.assign_contact(sales_contact.id, units["sales"].id)
    org.assign_contact(it_contact.id, it.id)
    hr.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    return {**units, "it": it, "sales_contact": sales_contact, "it_contact": it_contact, "hr": hr}


@pytest.fixture
def learner(people, org_tree, courses):  # noqa: F811
    (user_id,) = people(1, JOINED)
    org.set_units_bulk([(user_id, org_tree["sales"].id)], JOINED + timedelta(days=1))
    assign(user_id, (R1, local(2026, 6, 30)), (R2, local(2026, 6, 30)))
    complete(user_id, (R1, local(2026, 2, 3)))
    return user_id
