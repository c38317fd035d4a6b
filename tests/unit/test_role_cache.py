"""Roles cached between requests are never older than the groups and contacts they come from.

Each test changes membership in one of the ways the platform, the admin or a service can, then
asks for the roles of a freshly loaded user (as the next request would) without calling
`forget_roles`: the receivers alone must make the change visible (P-31).
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction

from elearn_plugin import permissions
from elearn_plugin.org import services as org
from elearn_plugin.org.models import TrainingContact
from elearn_plugin.permissions import ANY, Action, Role, check, role_facts, roles_of


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    yield
    cache.clear()


def fresh(user):
    """The same account as the next request loads it (roles are memoised per object)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def unit(db):
    return org.create_unit("u1", "Unit one")[0]


@pytest.fixture
def hr_group(db):
    return Group.objects.create(name=permissions.HR_GROUP)


def _warm(user) -> frozenset:
    roles = roles_of(fresh(user))
    assert roles_of(fresh(user)) == roles  # now served from the cache
    return roles


# P-31: the second request reads roles from the cache, not from the database
def test_roles_are_cached_between_requests(make_user, hr_group, django_assert_num_queries):
    user = make_user()
    user.groups.add(hr_group)
    assert Role.HR in roles_of(fresh(user))
    again = fresh(user)
    with django_assert_num_queries(0):
        assert Role.HR in roles_of(again)


# P-31: a learner's own action needs no role lookup at all
def test_learner_action_needs_no_query(make_user, django_assert_num_queries):
    user = fresh(make_user())
    with django_assert_num_queries(0):
        assert check(user, Action.REPORT_WATCH, ANY)
        assert check(user, Action.REPORT_WATCH, user.pk)
        assert check(user, Action.VIEW_OWN_RECORDS, user.pk)
    # Someone else's records: the other roles of the rule are looked up, and refuse.
    assert not check(user, Action.VIEW_OWN_RECORDS, user.pk + 1000)
    assert not check(user, Action.REPORT_WATCH, user.pk + 1000)


# P-31: inactive and anonymous users hold no role, learner actions included
def test_inactive_and_anonymous_are_refused(make_user):
    from django.contrib.auth.models import AnonymousUser

    assert not check(make_user(is_active=False), Action.REPORT_WATCH)
    assert not check(AnonymousUser(), Action.REPORT_WATCH)
    assert not check(None, Action.REPORT_WATCH)


# P-31: user.groups.add / remove / clear
def test_group_added_and_removed_through_the_user(make_user, hr_group):
    user = make_user()
    assert Role.HR not in _warm(user)
    user.groups.add(hr_group)
    assert Role.HR in roles_of(fresh(user))
    user.groups.remove(hr_group)
    assert Role.HR not in roles_of(fresh(user))
    user.groups.add(hr_group)
    assert Role.HR in _warm(user)
    user.groups.clear()
    assert Role.HR not in roles_of(fresh(user))


# P-31: group.user_set.add / remove / clear (the admin's group page)
def test_members_added_and_removed_through_the_group(make_user, hr_group):
    user, other = make_user(), make_user()
    _warm(user)
    _warm(other)
    hr_group.user_set.add(user, other)
    assert Role.HR in roles_of(fresh(user)) and Role.HR in roles_of(fresh(other))
    hr_group.user_set.remove(other)
    assert Role.HR not in roles_of(fresh(other))
    assert Role.HR in _warm(user)
    hr_group.user_set.clear()
    assert Role.HR not in roles_of(fresh(user))


# P-31: renaming or deleting a group changes the roles of all its members
def test_group_renamed_or_deleted(make_user, hr_group):
    user = make_user()
    user.groups.add(hr_group)
    assert Role.HR in _warm(user)
    hr_group.name = "former-hr"
    hr_group.save()
    assert Role.HR not in roles_of(fresh(user))
    reviewers = Group.objects.create(name=permissions.REVIEWER_GROUP)
    user.groups.add(reviewers)
    assert Role.REVIEWER in _warm(user)
    reviewers.delete()
    assert Role.REVIEWER not in roles_of(fresh(user))


# P-31, P-1: assigning and removing a training contact
def test_training_contact_assigned_and_removed(make_user, unit):
    user = make_user()
    assert Role.TRAINING_CONTACT not in _warm(user)
    org.assign_contact(user.pk, unit.pk)
    assert Role.TRAINING_CONTACT in _warm(user)
    org.remove_contact(user.pk, unit.pk)
    assert Role.TRAINING_CONTACT not in roles_of(fresh(user))
    TrainingContact.objects.create(user=user, unit=unit)
    assert Role.TRAINING_CONTACT in _warm(user)
    TrainingContact.objects.filter(user=user).delete()
    assert Role.TRAINING_CONTACT not in roles_of(fresh(user))


# P-31: staff and superuser flags are read from the account itself, never cached
def test_staff_flag_is_never_stale(make_user):
    user = make_user()
    assert Role.HR not in _warm(user)
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    assert Role.HR in roles_of(fresh(user))
    type(user).objects.filter(pk=user.pk).update(is_staff=False, is_active=False)
    assert roles_of(fresh(user)) == frozenset()


# P-31: a value computed from rows read before a change is not kept as fresh
def test_value_computed_before_a_change_is_not_reused(make_user, hr_group, monkeypatch):
    user = make_user()
    real = role_facts._group_names

    def read_then_change(u):
        names = real(u)  # the old rows: no HR group
        u.groups.add(hr_group)  # meanwhile, another request changes the membership
        return names

    monkeypatch.setattr(role_facts, "_group_names", read_then_change)
    assert Role.HR not in roles_of(fresh(user))
    monkeypatch.setattr(role_facts, "_group_names", real)
    assert Role.HR in roles_of(fresh(user))


# P-31: an evicted generation key never revives an old value
def test_evicted_generation_forces_a_new_read(make_user, hr_group):
    user = make_user()
    _warm(user)
    cache.delete(role_facts._GEN_USER_KEY.format(user.pk))
    cache.delete(role_facts._GEN_ALL_KEY)
    type(user).groups.through.objects.bulk_create(
        [type(user).groups.through(user_id=user.pk, group_id=hr_group.pk)]
    )  # bulk_create sends no signal: only the new generation makes it visible
    assert Role.HR in roles_of(fresh(user))


# P-31: inside a transaction the change is announced again once it is committed
def test_change_in_a_transaction_is_announced_after_commit(
    make_user, hr_group, django_capture_on_commit_callbacks
):
    user = make_user()
    _warm(user)
    key = role_facts._GEN_USER_KEY.format(user.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            user.groups.add(hr_group)
    assert callbacks, "no invalidation after commit"
    # A request that read the old rows before the commit stored them under the new generation.
    cache.set(
        role_facts._FACTS_KEY.format(user.pk),
        (cache.get(role_facts._GEN_ALL_KEY), cache.get(key), frozenset(), False, frozenset()),
    )
    assert Role.HR not in roles_of(fresh(user))
    for callback in callbacks:
        callback()
    assert Role.HR in roles_of(fresh(user))


# P-31: forget_roles still drops the memoised and the cached roles
def test_forget_roles_drops_both(make_user, hr_group):
    user = make_user()
    assert Role.HR not in roles_of(user)
    type(user).groups.through.objects.bulk_create(
        [type(user).groups.through(user_id=user.pk, group_id=hr_group.pk)]
    )
    assert Role.HR not in roles_of(user)  # memoised on this object; no signal was sent
    permissions.forget_roles(user)
    assert Role.HR in roles_of(user)


# P-31: the host's course roles are cached with the groups; a publisher's course check
# reads neither groups nor course roles again, and a course-role change is announced
def test_course_roles_are_cached_and_invalidated(make_user, monkeypatch, django_assert_num_queries):
    from elearn_plugin.host.roles import FakeRolesAdapter

    calls = []
    real = role_facts._course_staff

    def counting(user):
        calls.append(user.pk)
        return real(user)

    monkeypatch.setattr(role_facts, "_course_staff", counting)
    course = "course-v1:Org+C1+2026"
    user = make_user()
    FakeRolesAdapter.grant(user.pk, course)
    try:
        assert Role.PUBLISHER in roles_of(fresh(user))
        again = fresh(user)
        calls.clear()
        with django_assert_num_queries(0):
            assert Role.PUBLISHER in roles_of(again)
            assert check(again, Action.PUBLISH_COURSE, course)
            assert not check(again, Action.PUBLISH_COURSE, "course-v1:Org+Other+2026")
        assert calls == []
        FakeRolesAdapter.revoke(user.pk, course)
        # The platform's CourseAccessRole post_save/post_delete receiver:
        role_facts._on_course_role_changed(None, type("Row", (), {"user_id": user.pk})())
        assert Role.PUBLISHER not in roles_of(fresh(user))
    finally:
        FakeRolesAdapter.clear()
