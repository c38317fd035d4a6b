"""Roles and scopes (P-31)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from elearn_plugin import permissions
from elearn_plugin.host.roles import FakeRolesAdapter, course_staff, get_roles_adapter
from elearn_plugin.permissions import (
    Action,
    CourseTarget,
    ElearnPermission,
    Role,
    Scope,
    UnitTarget,
    check,
    elearn_required,
    require,
    roles_of,
)
from elearn_plugin.permissions import rules as permission_rules
from tests.helpers import role_matrix

COURSE = "course-v1:Org+Safety+2026"
role_users = role_matrix.role_users


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    FakeRolesAdapter.clear()
    yield
    FakeRolesAdapter.clear()
    cache.clear()


def fresh(user):
    """The same account as a new request would load it (roles are memoised per object)."""
    return type(user).objects.get(pk=user.pk)


def test_roles_of(role_users, make_user):  # P-31
    u = role_users
    assert roles_of(AnonymousUser()) == frozenset()
    assert roles_of(None) == frozenset()
    assert roles_of(u.learner) == {Role.LEARNER}
    assert roles_of(u.contact) == {Role.LEARNER, Role.TRAINING_CONTACT}
    assert Role.HR in roles_of(u.hr)
    assert Role.HR in roles_of(make_user(is_staff=True))
    assert Role.HR in roles_of(make_user(is_superuser=True))
    assert roles_of(u.reviewer) == {Role.LEARNER, Role.REVIEWER}
    assert roles_of(u.publisher) == {Role.LEARNER, Role.PUBLISHER}
    assert roles_of(make_user(is_active=False)) == frozenset()


def test_course_staff_makes_a_publisher_of_that_course_only(make_user):  # P-10, P-31
    staff = make_user()
    assert Role.PUBLISHER not in roles_of(staff)
    FakeRolesAdapter.grant(staff.pk, COURSE)
    staff = fresh(staff)
    assert course_staff(staff) == {COURSE}
    assert Role.PUBLISHER in roles_of(staff)
    assert check(staff, Action.PUBLISH_COURSE, CourseTarget(COURSE))
    assert check(staff, Action.PUBLISH_COURSE, COURSE)
    assert not check(staff, Action.PUBLISH_COURSE, "course-v1:Org+Other+2026")
    assert not check(staff, Action.REVIEW_COURSE, COURSE)


def test_group_publisher_publishes_any_course(role_users):  # P-10, P-31
    assert check(role_users.publisher, Action.PUBLISH_COURSE, "course-v1:Any+Course+1")
    assert not check(role_users.hr, Action.PUBLISH_COURSE, COURSE)
    assert check(role_users.reviewer, Action.REVIEW_COURSE, COURSE)


def test_learner_sees_only_own_records(role_users):  # P-31
    u = role_users
    assert check(u.learner, Action.VIEW_OWN_RECORDS, permissions.ANY)
    assert check(u.learner, Action.VIEW_OWN_RECORDS, u.learner.pk)
    assert check(u.learner, Action.VIEW_OWN_RECORDS, u.learner)
    assert not check(u.learner, Action.VIEW_OWN_RECORDS, u.other_learner.pk)
    assert not check(u.learner, Action.VIEW_OWN_RECORDS, UnitTarget(u.unit_id))
    assert check(u.learner, Action.REPORT_WATCH, u.learner.pk)
    assert not check(u.learner, Action.REPORT_WATCH, u.other_learner)
    assert not check(u.learner, Action.VIEW_UNIT_RECORDS)
    assert not check(u.learner, Action.LIFT_SANCTION, u.learner.pk)


def test_training_contact_sees_only_own_units(role_users):  # P-31
    u = role_users
    assert check(u.contact, Action.VIEW_UNIT_RECORDS, u.learner.pk)
    assert check(u.contact, Action.VIEW_UNIT_RECORDS, u.blocked)
    assert check(u.contact, Action.VIEW_UNIT_RECORDS, UnitTarget(u.unit_id))
    assert not check(u.contact, Action.VIEW_UNIT_RECORDS, u.other_learner.pk)
    assert not check(u.contact, Action.VIEW_UNIT_RECORDS, UnitTarget(u.other_unit_id))
    assert check(u.other_contact, Action.VIEW_UNIT_RECORDS, u.other_learner.pk)
    assert not check(u.other_contact, Action.VIEW_UNIT_RECORDS, u.learner.pk)
    assert check(u.contact, Action.GRANT_LEARNING_SLOT, u.learner.pk)
    assert not check(u.contact, Action.GRANT_LEARNING_SLOT, u.other_learner.pk)
    assert not check(u.contact, Action.VIEW_ALL_RECORDS)
    assert not check(u.contact, Action.LIFT_SANCTION, u.learner.pk)
    # P-2: seats of their own units only (the lead-only rule is `seats.services`').
    assert check(u.contact, Action.ALLOCATE_SEATS, UnitTarget(u.unit_id))
    assert not check(u.contact, Action.ALLOCATE_SEATS, UnitTarget(u.other_unit_id))
    assert not check(u.learner, Action.ALLOCATE_SEATS, UnitTarget(u.unit_id))
    # A user outside the organisation is in nobody's unit.
    assert not check(u.contact, Action.VIEW_UNIT_RECORDS, u.hr.pk)
    assert not check(u.contact, Action.VIEW_UNIT_RECORDS, "not-a-target")


def test_contact_of_a_parent_unit_covers_the_subtree(role_users, make_user):  # P-1, P-31
    from elearn_plugin.org import services as org
    from elearn_plugin.org.models import Unit

    parent_id = Unit.objects.get(pk=role_users.unit_id).parent_id
    head = make_user()
    org.assign_contact(head.pk, parent_id)
    assert check(head, Action.VIEW_UNIT_RECORDS, role_users.learner.pk)
    assert check(head, Action.VIEW_UNIT_RECORDS, role_users.other_learner.pk)


def test_hr_reaches_everyone(role_users):  # P-31
    u = role_users
    for action in (
        Action.VIEW_ALL_RECORDS,
        Action.VIEW_UNIT_RECORDS,
        Action.MANAGE_SANCTIONS,
        Action.LIFT_SANCTION,
        Action.PROVISION_ACCOUNTS,
        Action.VIEW_HEALTH,
        Action.SWITCH_LEARNING,
        Action.ALLOCATE_SEATS,
    ):
        assert check(u.hr, action, u.other_learner.pk), action
    assert not check(u.reviewer, Action.SWITCH_LEARNING)


def test_anonymous_and_unknown_actions_are_refused(role_users):  # P-31
    for action in Action:
        assert not check(AnonymousUser(), action)
    assert not check(role_users.hr, "no_such_action")
    with pytest.raises(PermissionDenied):
        require(role_users.learner, Action.VIEW_ALL_RECORDS)
    require(role_users.hr, Action.VIEW_ALL_RECORDS)


def test_register_extends_and_refuses_duplicates(role_users):  # P-31
    permissions.register("submit_feedback", {Role.LEARNER: Scope.SELF})
    try:
        assert check(role_users.learner, "submit_feedback", permissions.ANY)
        assert not check(role_users.learner, "submit_feedback", role_users.other_learner.pk)
        with pytest.raises(ValueError, match="already registered"):
            permissions.register("submit_feedback", {Role.HR: Scope.ALL})
        with pytest.raises(ValueError, match="Role to Scope"):
            permissions.register("broken", {"hr": "all"})
        with pytest.raises(ValueError):
            permissions.register("empty", {})
    finally:
        permission_rules._RULES.pop("submit_feedback", None)


def test_roles_adapter_choice(settings):  # P-31
    from django.core.exceptions import ImproperlyConfigured

    settings.ELEARN_HOST_ADAPTERS = "fake"
    assert isinstance(get_roles_adapter(), FakeRolesAdapter)
    settings.ELEARN_HOST_ADAPTERS = "platform"
    assert type(get_roles_adapter()).__name__ == "PlatformRolesAdapter"
    settings.ELEARN_HOST_ADAPTERS = "bogus"
    with pytest.raises(ImproperlyConfigured):
        get_roles_adapter()


# --- enforcement helpers ---------------------------------------------------------------------


class UnitRecords(APIView):
    permission_classes = [ElearnPermission]
    elearn_action = Action.VIEW_UNIT_RECORDS

    def get_elearn_target(self):
        return permissions.ANY  # a list page: it filters by scope itself

    def get(self, request):
        return Response({"ok": True})


class NoAction(APIView):
    permission_classes = [ElearnPermission]

    def get(self, request):
        return Response({"ok": True})


def call(view, user):
    request = APIRequestFactory().get("/x")
    if user is not None:
        # Like a token or JWT: the user is set by DRF, no session, no middleware.
        force_authenticate(request, user=user)
    return view.as_view()(request)


def test_drf_permission_by_role(role_users):  # P-31
    assert call(UnitRecords, role_users.contact).status_code == 200
    assert call(UnitRecords, role_users.hr).status_code == 200
    assert call(UnitRecords, role_users.learner).status_code == 403
    assert call(UnitRecords, None).status_code in (401, 403)
    assert call(NoAction, role_users.hr).status_code == 403  # no action declared: refused


def test_drf_permission_refuses_blocked_token_user(role_users, make_user):  # P-8, P-31
    from elearn_plugin.org import services as org

    org.assign_contact(role_users.blocked.pk, role_users.unit_id)
    assert Role.TRAINING_CONTACT in roles_of(fresh(role_users.blocked))
    response = call(UnitRecords, fresh(role_users.blocked))
    assert response.status_code == 403
    assert "cannot be used" in str(response.data["detail"])


def test_object_permission_uses_target(role_users):  # P-31
    perm = ElearnPermission()
    view = UnitRecords()
    request = type("R", (), {"user": role_users.contact})()
    assert perm.has_object_permission(request, view, role_users.learner)
    assert not perm.has_object_permission(request, view, role_users.other_learner)


def test_decorator_for_plain_views(role_users):  # P-31
    @elearn_required(Action.VIEW_UNIT_RECORDS, lambda request, user_id: user_id)
    def page(request, user_id):
        return HttpResponse("ok")

    def get(user, target):
        request = RequestFactory().get("/page")
        request.user = user
        return page(request, target)

    assert get(AnonymousUser(), role_users.learner.pk).status_code == 302
    assert get(role_users.contact, role_users.learner.pk).status_code == 200
    with pytest.raises(PermissionDenied):
        get(role_users.contact, role_users.other_learner.pk)
    with pytest.raises(PermissionDenied):
        get(role_users.blocked, role_users.blocked.pk)


def test_mixin_for_class_views(role_users):  # P-31
    from django.views import View

    class Page(permissions.ElearnRequiredMixin, View):
        elearn_action = Action.VIEW_ALL_RECORDS

        def get(self, request):
            return HttpResponse("ok")

    def get(user):
        request = RequestFactory().get("/page")
        request.user = user
        return Page.as_view()(request)

    assert get(role_users.hr).status_code == 200
    assert get(AnonymousUser()).status_code == 302
    with pytest.raises(PermissionDenied):
        get(role_users.learner)


def test_group_change_needs_a_fresh_user(role_users):  # P-31
    learner = role_users.learner
    assert not check(learner, Action.REVIEW_COURSE)
    learner.groups.add(Group.objects.get_or_create(name=permissions.REVIEWER_GROUP)[0])
    permissions.forget_roles(learner)
    assert check(learner, Action.REVIEW_COURSE)


# P-31: a check that forgets its target is refused for every scope that depends on the
# target (SELF, UNIT, COURSE); "may the user do this at all" is asked with ANY.
def test_a_scoped_check_without_a_target_is_refused(role_users):
    u = role_users
    staff = u.other_learner
    FakeRolesAdapter.grant(staff.pk, COURSE)
    assert not check(fresh(staff), Action.PUBLISH_COURSE, None)  # COURSE, course staff
    assert not check(u.learner, Action.VIEW_OWN_RECORDS, None)  # SELF
    assert not check(u.learner, Action.REPORT_WATCH)  # SELF, target left out
    assert not check(u.contact, Action.VIEW_UNIT_RECORDS, None)  # UNIT
    assert not check(u.contact, Action.GRANT_LEARNING_SLOT)  # UNIT, target left out
    assert not check(u.publisher, Action.PUBLISH_COURSE, None)  # COURSE
    with pytest.raises(PermissionDenied):
        require(u.contact, Action.VIEW_UNIT_RECORDS)
    # An unscoped role needs no target: HR may do its actions everywhere.
    assert check(u.hr, Action.VIEW_UNIT_RECORDS, None)
    # The explicit "any target" asks whether the user may do the action at all.
    any_target = permissions.ANY
    assert check(u.learner, Action.VIEW_OWN_RECORDS, any_target)
    assert check(u.contact, Action.VIEW_UNIT_RECORDS, any_target)
    assert check(u.publisher, Action.PUBLISH_COURSE, any_target)
    assert check(fresh(staff), Action.PUBLISH_COURSE, any_target)
    assert not check(u.learner, Action.VIEW_UNIT_RECORDS, any_target)
