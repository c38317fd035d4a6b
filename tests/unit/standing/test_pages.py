"""The learner's own standing, HR's lift page and the admin (P-8, P-31)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import RequestFactory

from elearn_plugin.standing import services
from elearn_plugin.standing.admin import SanctionAdmin
from elearn_plugin.standing.models import Sanction
from tests.helpers.role_matrix import ROLES, assert_role_matrix

ME = "/elearn/standing/me/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def lift_url(sanction) -> str:
    return f"/elearn/standing/sanctions/{sanction.pk}/lift/"


def warning(user, source="quota:2026-02"):
    return services.impose(user.pk, "warning", "missed_tasks", source, reason="1 of 2 done")[0]


def test_my_standing_matrix(client, role_users):  # P-31, P-8
    expected = dict.fromkeys(
        ["learner", "other_learner", "contact", "other_contact", "hr", "reviewer", "publisher"],
        200,
    )
    expected.update(anonymous=302, blocked=403)
    assert_role_matrix(client, "get", ME, expected)
    refused = {**dict.fromkeys(ROLES, 405), "blocked": 403}  # GET only; blocked never passes
    assert_role_matrix(client, "post", ME, refused, data={})


def test_my_standing_shows_only_own_sanctions(client, role_users):  # P-31
    mine = warning(role_users.learner)
    warning(role_users.other_learner)
    client.force_login(role_users.learner)
    data = client.get(ME).json()
    assert data["blocked"] is False and data["block"] is None
    assert [s["id"] for s in data["sanctions"]] == [mine.pk]


def test_lift_page_matrix(client, role_users):  # P-31
    sanction = warning(role_users.learner)
    expected = dict.fromkeys(
        [
            "learner",
            "other_learner",
            "contact",
            "other_contact",
            "reviewer",
            "publisher",
            "blocked",
        ],
        403,
    )
    expected.update(anonymous=302, hr=200)
    assert_role_matrix(client, "get", lift_url(sanction), expected)
    # A refused POST changes nothing.
    post_expected = {**expected, "hr": 400}  # hr without a reason
    assert_role_matrix(client, "post", lift_url(sanction), post_expected, data={"reason": ""})
    sanction.refresh_from_db()
    assert sanction.lifted_at is None


def test_lift_page_lifts_once_with_reason(client, role_users):  # P-8
    now = datetime.now(UTC)
    sanction = services.impose(
        role_users.learner.pk,
        "suspension",
        "sharing",
        "sharing:42",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
    )[0]
    client.force_login(role_users.hr)
    response = client.post(lift_url(sanction), {"reason": "Report withdrawn"})
    assert response.status_code == 302
    sanction.refresh_from_db()
    assert sanction.lift_reason == "Report withdrawn"
    assert sanction.lifted_by_id == role_users.hr.pk
    assert services.active_block(role_users.learner.pk) is None
    assert client.get(response["Location"]).status_code == 200
    again = client.post(lift_url(sanction), {"reason": "again"})
    assert again.status_code == 409
    assert client.get("/elearn/standing/sanctions/999999/lift/").status_code == 404


def test_lift_page_escapes_reason(client, role_users):  # P-32
    sanction = services.impose(
        role_users.learner.pk, "warning", "missed_tasks", "q:1", reason="<script>x</script>"
    )[0]
    client.force_login(role_users.hr)
    body = client.get(lift_url(sanction)).content.decode()
    assert "<script>x</script>" not in body and "&lt;script&gt;" in body


def test_lift_page_requires_csrf(role_users):  # P-31
    from django.test import Client

    sanction = warning(role_users.learner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users.hr)
    assert client.post(lift_url(sanction), {"reason": "x"}).status_code == 403
    sanction.refresh_from_db()
    assert sanction.lifted_at is None


# --- admin -----------------------------------------------------------------------------------


def _admin_request(user, data=None):
    request = RequestFactory().post("/admin/", data or {})
    request.user = user
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    return request


def test_admin_lift_action_needs_reason_and_role(role_users):  # P-8, P-31
    model_admin = SanctionAdmin(Sanction, admin.site)
    a = warning(role_users.learner, "q:a")
    b = warning(role_users.other_learner, "q:b")
    queryset = Sanction.objects.filter(pk__in=[a.pk, b.pk])
    action = model_admin.actions[0]

    action(model_admin, _admin_request(role_users.hr, {"lift_reason": ""}), queryset)
    assert not Sanction.objects.filter(lifted_at__isnull=False).exists()

    action(model_admin, _admin_request(role_users.contact, {"lift_reason": "x"}), queryset)
    assert not Sanction.objects.filter(lifted_at__isnull=False).exists()

    action(model_admin, _admin_request(role_users.hr, {"lift_reason": "Approved"}), queryset)
    assert Sanction.objects.filter(lifted_at__isnull=False, lift_reason="Approved").count() == 2


def test_admin_is_read_only_and_hr_only(role_users):  # P-8, P-31
    model_admin = SanctionAdmin(Sanction, admin.site)
    sanction = warning(role_users.learner)
    hr_request = _admin_request(role_users.hr)
    assert {"kind", "source", "user"} <= set(model_admin.get_readonly_fields(hr_request, sanction))
    assert not model_admin.has_delete_permission(hr_request, sanction)
    assert model_admin.has_view_permission(hr_request)
    assert not model_admin.has_view_permission(_admin_request(role_users.contact))
    assert not model_admin.has_add_permission(_admin_request(role_users.learner))


def test_admin_add_goes_through_service_and_validates(role_users):  # P-8
    from elearn_plugin.standing.admin import SanctionAddForm

    bad = SanctionAddForm(
        data={
            "user": role_users.learner.pk,
            "kind": "suspension",
            "reason_code": "sharing",
            "source": "sharing:admin",
            "starts_at": "2026-03-01 08:00",
        }
    )
    assert not bad.is_valid() and "end" in str(bad.errors)
    model_admin = SanctionAdmin(Sanction, admin.site)
    obj = Sanction(
        user=role_users.learner, kind="warning", reason_code="sharing", source="sharing:admin"
    )
    model_admin.save_model(_admin_request(role_users.hr), obj, None, change=False)
    stored = Sanction.objects.get(source="sharing:admin")
    assert obj.pk == stored.pk and stored.created_by_id == role_users.hr.pk


# P-19: with the language Open edX calls zh-cn (Django has no zh_CN format module) the page
# shows dates the Chinese way, in the policy's time zone; in English it keeps English formats
@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        ("zh-cn", ["2036年3月10日 16:00", "2036年3月17日 16:00"], ["March", "a.m.", "p.m."]),
        ("en", ["March 10, 2036", "March 17, 2036"], ["年"]),
    ],
)
def test_lift_page_dates_in_the_learners_language(
    client, role_users, settings, language, shown, absent
):
    sanction = services.impose(
        role_users.learner.pk,
        "suspension",
        "sharing",
        "sharing:zh",
        starts_at=datetime(2036, 3, 10, 8, 0, tzinfo=UTC),
        ends_at=datetime(2036, 3, 17, 8, 0, tzinfo=UTC),
    )[0]
    client.force_login(role_users.hr)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(lift_url(sanction)).content.decode()
    for text in shown:
        assert text in body
    for text in absent:
        assert text not in body


# P-8, P-33: the admin lifts many sanctions with a fixed number of queries (lift_bulk)
def test_admin_lift_action_is_one_bulk_write(role_users, make_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    model_admin = SanctionAdmin(Sanction, admin.site)
    action = model_admin.actions[0]

    def lift_all(count, counting=None):
        rows = [warning(make_user(), f"q:{count}:{i}") for i in range(count)]
        queryset = Sanction.objects.filter(pk__in=[r.pk for r in rows])
        request = _admin_request(role_users.hr, {"lift_reason": "Approved"})
        with counting or CaptureQueriesContext(connection) as queries:
            action(model_admin, request, queryset)
        assert queryset.filter(lifted_at__isnull=True).count() == 0
        return len(queries)

    lift_all(1)  # the HR user's roles are read (and memoised) once
    few = lift_all(2)
    assert lift_all(8) == few
    lift_all(20, django_assert_max_num_queries(few))
