"""The unit tree: materialized paths, subtree queries, moves and cycles (P-1)."""

import pytest

from elearn_plugin.org import services
from elearn_plugin.org.models import Unit


def _paths():
    return dict(Unit.objects.values_list("code", "path"))


def test_paths_and_depths_follow_the_tree(tree):  # P-1
    sales = Unit.objects.get(code="sales")
    assert sales.path == f"/{tree['group'].id}/{tree['hq'].id}/{sales.id}/"
    assert sales.depth == 2
    assert Unit.objects.get(code="group").depth == 0


def test_subtree_includes_descendants_only(tree):  # P-1
    assert services.subtree_unit_ids([tree["hq"].id]) == {tree["hq"].id, tree["sales"].id}
    assert services.subtree_unit_ids([tree["group"].id]) == {u.id for u in tree.values()}
    assert services.subtree_unit_ids([]) == set()
    assert services.subtree_unit_ids([999999]) == set()


def test_subtree_of_overlapping_roots(tree):  # P-1
    ids = services.subtree_unit_ids([tree["hq"].id, tree["sales"].id, tree["sub_it"].id])
    assert ids == {tree["hq"].id, tree["sales"].id, tree["sub_it"].id}


def test_subtree_is_not_fooled_by_id_prefixes(db):  # P-1
    # '/1/' must not match '/12/': paths end with a slash.
    first, _ = services.create_unit("a", "A")
    units = [services.create_unit(f"u{i}", f"U{i}")[0] for i in range(12)]
    assert services.subtree_unit_ids([first.id]) == {first.id}
    assert all(services.subtree_unit_ids([u.id]) == {u.id} for u in units)


def test_create_unit_is_idempotent_and_refuses_conflicts(tree):  # P-1
    unit, created = services.create_unit("hq", "Headquarters", parent_id=tree["group"].id)
    assert (unit.id, created) == (tree["hq"].id, False)
    with pytest.raises(services.OrgError):
        services.create_unit("hq", "Another name", parent_id=tree["group"].id)
    with pytest.raises(services.OrgError):
        services.create_unit("x", "X", parent_id=999999)
    with pytest.raises(services.OrgError):
        services.create_unit("y", "Y", kind="planet")
    assert not Unit.objects.filter(code__in=["x", "y"]).exists()


def test_move_rewrites_the_whole_subtree(tree):  # P-1
    assert services.move_unit(tree["hq"].id, tree["sub"].id) is True
    sales = Unit.objects.get(code="sales")
    hq = Unit.objects.get(code="hq")
    assert hq.parent_id == tree["sub"].id
    assert sales.path == f"/{tree['group'].id}/{tree['sub'].id}/{hq.id}/{sales.id}/"
    assert (hq.depth, sales.depth) == (2, 3)
    assert services.subtree_unit_ids([tree["sub"].id]) == {
        tree["sub"].id,
        tree["sub_it"].id,
        hq.id,
        sales.id,
    }
    assert services.move_unit(tree["hq"].id, tree["sub"].id) is False


def test_move_to_root(tree):  # P-1
    services.move_unit(tree["sub"].id, None)
    sub_it = Unit.objects.get(code="sub-it")
    assert sub_it.path == f"/{tree['sub'].id}/{sub_it.id}/"
    assert sub_it.depth == 1


@pytest.mark.parametrize("target", ["hq", "sales"])
def test_cycle_is_refused_and_nothing_changes(tree, target):  # P-1
    before = _paths()
    with pytest.raises(services.OrgError):
        services.move_unit(tree["hq"].id, tree[target].id)
    assert _paths() == before
    assert Unit.objects.get(code="hq").parent_id == tree["group"].id


def test_move_of_missing_units_is_refused(tree):  # P-1
    with pytest.raises(services.OrgError):
        services.move_unit(999999, None)
    with pytest.raises(services.OrgError):
        services.move_unit(tree["hq"].id, 999999)


def test_update_unit_marks_travel_heavy(tree):  # P-1 (feeds P-24)
    assert services.update_unit(tree["sub"].id, travel_heavy=True) is True
    assert services.update_unit(tree["sub"].id, travel_heavy=True) is False
    assert Unit.objects.get(code="sub").travel_heavy is True
    with pytest.raises(services.OrgError):
        services.update_unit(tree["sub"].id, kind="planet")


def test_contacts_cover_subtrees(tree, make_user):  # P-1
    contact = make_user()
    _c, created = services.assign_contact(contact.id, tree["hq"].id)
    assert created is True
    assert services.assign_contact(contact.id, tree["hq"].id)[1] is False
    assert services.contact_unit_ids(contact) == {tree["hq"].id, tree["sales"].id}
    assert services.contact_unit_ids(contact, leads_only=True) == set()
    services.assign_contact(contact.id, tree["hq"].id, is_lead=True)
    assert services.contact_unit_ids(contact, leads_only=True) == {tree["hq"].id, tree["sales"].id}
    assert services.contact_unit_ids(make_user()) == set()
    with pytest.raises(services.OrgError):
        services.assign_contact(contact.id, 999999)


def test_units_without_contact(tree, make_user):  # P-1: every unit has a training contact
    services.assign_contact(make_user().id, tree["hq"].id)
    assert services.units_without_contact() == {tree["group"].id, tree["sub"].id, tree["sub_it"].id}
    assert services.remove_contact(make_user().id, tree["hq"].id) is False
    services.assign_contact(make_user().id, tree["group"].id)
    assert services.units_without_contact() == set()
