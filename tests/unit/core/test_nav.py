"""The header's links follow the reader's roles (P-31): a learner their own pages, a contact
also their units, HR also the dashboard, the inbox and the instructors."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from elearn_plugin.templatetags.elearn_nav import links_for
from tests.helpers.role_matrix import role_users  # noqa: F401


def _urls(user):
    return {url for _label, url in links_for(user)}


def test_the_links_follow_the_roles(role_users):  # noqa: F811
    dashboard, units = reverse("elearn:staff-dashboard"), reverse("elearn:staff-units")
    mine = reverse("elearn:my-training")
    assert _urls(AnonymousUser()) == set()
    learner = _urls(role_users.learner)
    assert mine in learner and units not in learner and dashboard not in learner
    contact = _urls(role_users.contact)
    assert units in contact and dashboard not in contact
    assert {dashboard, units, reverse("elearn:feedback-inbox")} <= _urls(role_users.hr)


def test_the_page_header_shows_them_and_marks_this_page(client, role_users):  # noqa: F811
    client.force_login(role_users.hr)
    page = client.get(reverse("elearn:staff-dashboard")).content.decode()
    assert 'class="elearn-nav"' in page
    assert f'href="{reverse("elearn:staff-dashboard")}" aria-current="page"' in page
    client.force_login(role_users.learner)
    page = client.get(reverse("elearn:feedback")).content.decode()
    assert reverse("elearn:staff-dashboard") not in page
