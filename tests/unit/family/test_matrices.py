"""Role matrices of the family view's pages (P-31, P-35)."""

from django.urls import reverse

from elearn_plugin.family import services
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.family.conftest import acknowledged

EVERY = ("learner", "other_learner", "contact", "other_contact", "hr", "reviewer", "publisher")


def _all_acknowledged(users) -> None:
    acknowledged(*(users.user(role) for role in EVERY))


def test_my_links_matrix(client, role_users):  # noqa: F811
    _all_acknowledged(role_users)
    url = reverse("elearn:family-links")
    # Every signed-in account has its own links (HR's and a contact's too); blocked: 403.
    expected = {"anonymous": 302, "blocked": 403} | {role: 200 for role in EVERY}
    assert_role_matrix(client, "get", url, expected)


def test_learner_links_matrix(client, role_users):  # noqa: F811
    _all_acknowledged(role_users)
    url = reverse("elearn:family-learner-links", kwargs={"user_id": role_users.learner.pk})
    expected = {role: 403 for role in EVERY} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "get", url, expected | {"learner": 200, "hr": 200})


def test_revoke_matrix(client, role_users):  # noqa: F811
    issued = services.issue(role_users.learner.pk, actor=role_users.learner)
    url = reverse("elearn:family-revoke", kwargs={"link_id": issued.link.pk})
    expected = {role: 403 for role in EVERY} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "post", url, expected | {"learner": 302, "hr": 302})
    get = {role: 405 for role in (*EVERY, "anonymous")} | {"blocked": 403}
    assert_role_matrix(client, "get", url, get)


def test_report_matrix(client, role_users):  # noqa: F811
    # Public: the link is the credential; the blocked role is signed out first (P-8).
    issued = services.issue(role_users.learner.pk, actor=role_users.hr)
    url = reverse("elearn:family-view", kwargs={"token": issued.token})
    expected = {role: 200 for role in EVERY} | {"anonymous": 200, "blocked": 403}
    assert_role_matrix(client, "get", url, expected)
    unknown = reverse("elearn:family-view", kwargs={"token": "y" * 43})
    assert_role_matrix(client, "get", unknown, expected | {r: 410 for r in (*EVERY, "anonymous")})
