"""First sign-in: the provisioned password must be replaced (P-2)."""

import pytest
from django.conf import settings
from django.urls import reverse

from elearn_plugin.org import services
from elearn_plugin.org.models import Person

PASSWORD = "Initial-pass-42"
NEW_PASSWORD = "Quite-different-77"


@pytest.fixture
def newcomer(tree, make_user):
    user = make_user(password=PASSWORD)
    Person.objects.create(
        user=user, employee_id="E1", name="Ada", unit=tree["hq"], must_change_password=True
    )
    services.forget_password_flags([user.id])
    return user


def test_middleware_is_installed_additively():
    middleware = list(settings.MIDDLEWARE)
    assert middleware.count("elearn_plugin.org.middleware.ForcePasswordChangeMiddleware") == 1
    assert middleware.index(
        "elearn_plugin.org.middleware.ForcePasswordChangeMiddleware"
    ) > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")


def test_flagged_user_is_sent_to_the_change_page(client, newcomer):  # P-2
    client.force_login(newcomer)
    response = client.get("/somewhere/?a=1")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("elearn:password_change"))
    assert "next=%2Fsomewhere%2F%3Fa%3D1" in response["Location"]


@pytest.mark.parametrize("path", ["/api/courses/", "/elearn/api/v1/x", "/static/app.js"])
def test_api_and_static_paths_are_not_redirected(client, newcomer, path):  # P-2
    client.force_login(newcomer)
    assert client.get(path).status_code == 404


def test_logout_stays_reachable(client, newcomer):  # P-2
    client.force_login(newcomer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("elearn:password_change"))


def test_change_page_renders_escaped_form(client, newcomer):  # P-2
    client.force_login(newcomer)
    response = client.get(reverse("elearn:password_change") + '?next="><script>x</script>')
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="old_password"' in body
    assert "<script>x</script>" not in body


def test_successful_change_clears_the_flag(client, newcomer):  # P-2
    client.force_login(newcomer)
    url = reverse("elearn:password_change")
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "/dashboard/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert Person.objects.get(user=newcomer).must_change_password is False
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    # Still signed in (session hash updated) and no longer redirected.
    assert client.get("/somewhere/").status_code == 404


def test_wrong_old_password_keeps_the_flag(client, newcomer):  # P-2
    client.force_login(newcomer)
    response = client.post(
        reverse("elearn:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert Person.objects.get(user=newcomer).must_change_password is True
    assert client.get("/somewhere/").status_code == 302


def test_offsite_next_is_ignored(client, newcomer):  # P-2
    client.force_login(newcomer)
    response = client.post(
        reverse("elearn:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"


def test_other_users_are_not_redirected(client, tree, make_user):  # P-2
    user = make_user()
    Person.objects.create(user=user, employee_id="E2", name="Bob", unit=tree["hq"])
    client.force_login(user)
    assert client.get("/somewhere/").status_code == 404
    client.logout()
    assert client.get("/somewhere/").status_code == 404


def test_anonymous_change_page_asks_for_sign_in(client, db):
    response = client.get(reverse("elearn:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
