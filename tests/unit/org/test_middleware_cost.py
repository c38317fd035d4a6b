"""The password-change redirect costs no query of its own and follows its settings (P-2)."""

import pytest
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext

from elearn_plugin.org import middleware, services
from elearn_plugin.org.models import Person

PASSWORD = "Initial-pass-42"


@pytest.fixture
def newcomer(tree, make_user):
    user = make_user(password=PASSWORD)
    Person.objects.create(
        user=user, employee_id="E1", name="Ada", unit=tree["hq"], must_change_password=True
    )
    services.forget_password_flags([user.id])
    return user


def _queries(client, path):
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, [q["sql"] for q in ctx.captured_queries]


# P-2: an API path is decided before the user's flag is read
def test_api_path_reads_no_flag(client, newcomer, monkeypatch):
    client.force_login(newcomer)

    def refuse(user_id):
        raise AssertionError("the flag was read for an exempt path")

    monkeypatch.setattr(services, "must_change_password", refuse)
    assert client.get("/elearn/api/v1/anything").status_code == 404


# P-2: with the flag cached, a page request queries only the session and the user
def test_cached_flag_costs_no_query(client, tree, make_user):
    user = make_user()
    Person.objects.create(user=user, employee_id="E2", name="Bob", unit=tree["hq"])
    cache.clear()
    client.force_login(user)
    client.get("/somewhere/")  # fills the caches
    response, queries = _queries(client, "/somewhere/")
    assert response.status_code == 404
    assert not [q for q in queries if "elearn_plugin_person" in q], queries


# P-2: the flag set after the caches were filled still redirects (cleared on change)
def test_flag_set_later_still_redirects(client, tree, make_user):
    user = make_user()
    Person.objects.create(user=user, employee_id="E3", name="Cy", unit=tree["hq"])
    client.force_login(user)
    assert client.get("/somewhere/").status_code == 404
    Person.objects.filter(user=user).update(must_change_password=True)
    services.forget_password_flags([user.pk])
    assert client.get("/somewhere/").status_code == 302


# P-2: changing the exempt prefixes takes effect without a restart of the process
def test_exempt_prefixes_follow_the_setting(client, newcomer, settings):
    client.force_login(newcomer)
    assert client.get("/api/courses/").status_code == 404
    settings.ELEARN_PASSWORD_CHANGE_EXEMPT_PREFIXES = ["/other/"]
    assert client.get("/api/courses/").status_code == 302
    assert client.get("/other/x").status_code == 404
    assert middleware._exempt_prefixes.cache_info().currsize >= 2
