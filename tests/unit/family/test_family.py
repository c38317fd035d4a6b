"""The family view (P-35): a link scoped to one learner shows progress and standing only,
expires, is revoked, stops for a frozen learner, and every view is counted and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.family import services
from elearn_plugin.family.models import FamilyLink
from elearn_plugin.standing import services as standing
from tests.unit.family.conftest import acknowledged, issue

GONE = "This link no longer works"


def view_url(token: str) -> str:
    return reverse("elearn:family-view", kwargs={"token": token})


# P-35: the report shows the month, standing, tasks and credits, with a first name only.
def test_the_link_opens_the_report_and_nothing_else(client, learner):
    issued = issue(learner)
    response = client.get(view_url(issued.token))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mei" in body and "Road Safety" in body and "0 of 2" in body
    for private in (learner.username, learner.email, "Lin", "127.0.0.1"):
        assert private not in body
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert issued.token not in FamilyLink.objects.values_list("token_hash", flat=True)[0]


def test_only_the_tokens_hash_is_stored(learner):
    issued = issue(learner)
    row = FamilyLink.objects.get()
    assert row.token_hash == services.token_hash(issued.token) != issued.token


# P-35: scoped: a learner's link never shows another learner's data.
def test_a_link_shows_its_own_learner_only(client, learner, make_user):
    other = make_user(first_name="Wang")
    standing.impose(other.pk, "suspension", "sharing", "test:other", ends_at=timezone.now()
                    + timedelta(days=3))  # fmt: skip
    body = client.get(view_url(issue(learner).token)).content.decode()
    assert "Wang" not in body and "suspended" not in body
    other_body = client.get(view_url(issue(other).token)).content.decode()
    assert "Wang" in other_body and "Mei" not in other_body and "Road Safety" not in other_body
    assert "The account is suspended." in other_body


def test_after_expiry_the_link_no_longer_works(client, learner):
    start = timezone.now()
    issued = issue(learner, days=2, now=start)
    with freeze_time(start + timedelta(days=2) - timedelta(seconds=1)):
        assert client.get(view_url(issued.token)).status_code == 200
    with freeze_time(start + timedelta(days=2)):
        response = client.get(view_url(issued.token))
    assert response.status_code == 410 and GONE in response.content.decode()


def test_after_revocation_the_link_no_longer_works(client, learner):
    issued = issue(learner)
    assert client.get(view_url(issued.token)).status_code == 200
    assert services.revoke(issued.link.pk, actor=learner) is True
    response = client.get(view_url(issued.token))
    assert response.status_code == 410 and GONE in response.content.decode()
    assert services.revoke(issued.link.pk, actor=learner) is False  # once
    assert AuditEvent.objects.filter(verb="family.link_revoked").count() == 1


def test_an_unknown_token_gets_the_same_answer(client, learner):
    issued = issue(learner)
    services.revoke(issued.link.pk, actor=learner)
    revoked = client.get(view_url(issued.token))
    unknown = client.get(view_url("x" * 43))
    short = client.get(view_url("abc"))
    assert revoked.status_code == unknown.status_code == short.status_code == 410
    assert revoked.content == unknown.content == short.content


# P-7, P-35: a departed (frozen) learner's links stop working; a closed account's too.
def test_a_frozen_learners_links_stop_working(client, learner):
    issued = issue(learner)
    standing.impose(learner.pk, "freeze", "departure", "test:freeze")
    assert client.get(view_url(issued.token)).status_code == 410
    with pytest.raises(services.FamilyError):
        issue(learner)


def test_an_inactive_account_link_stops_working(client, learner):
    issued = issue(learner)
    learner.is_active = False
    learner.save()
    assert client.get(view_url(issued.token)).status_code == 410


def test_every_view_is_counted_and_audited(client, learner):
    issued = issue(learner)
    for _ in range(3):
        client.get(view_url(issued.token))
    link = FamilyLink.objects.get()
    assert link.view_count == 3 and link.last_viewed_at is not None
    events = AuditEvent.objects.filter(verb="family.link_viewed").order_by("seq")
    assert [e.data["view_count"] for e in events] == [1, 2, 3]
    assert {e.target for e in events} == {f"elearn_plugin.familylink:{link.pk}"}
    assert AuditEvent.objects.filter(verb="family.link_issued").count() == 1


def test_views_are_rate_limited_per_link(client, learner, settings):
    settings.ELEARN_FAMILY_VIEWS_PER_HOUR = 2
    issued = issue(learner)
    codes = [client.get(view_url(issued.token)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert FamilyLink.objects.get().view_count == 2
    assert client.get(view_url(issue(learner).token)).status_code == 200  # another link


def test_the_lifetime_is_bounded_by_the_setting(learner, settings):
    settings.ELEARN_FAMILY_LINK_DAYS = 10
    for bad in (0, 11, -1, "5", True):
        with pytest.raises(services.FamilyError):
            issue(learner, days=bad)
    assert not FamilyLink.objects.exists()
    issued = issue(learner)
    assert issued.link.expires_at - issued.link.created_at == timedelta(days=10)
    settings.ELEARN_FAMILY_LINK_DAYS = 5000
    assert services.max_days() == services.MAX_DAYS


def test_disabled_everything_is_404(client, learner, settings):
    issued = issue(learner)
    settings.ELEARN_FAMILY_VIEW_ENABLED = False
    acknowledged(learner)
    assert client.get(view_url(issued.token)).status_code == 404
    client.force_login(learner)
    urls = [
        ("get", reverse("elearn:family-links")),
        ("get", reverse("elearn:family-learner-links", kwargs={"user_id": learner.pk})),
        ("post", reverse("elearn:family-revoke", kwargs={"link_id": issued.link.pk})),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    with pytest.raises(services.FamilyError):
        issue(learner)
    assert FamilyLink.objects.get().revoked_at is None


def test_the_learner_issues_sees_and_revokes_on_the_page(client, learner):
    acknowledged(learner)
    client.force_login(learner)
    page = reverse("elearn:family-links")
    response = client.post(page, {"days": "7"})
    assert response.status_code == 200
    url = response.context["new_url"]
    assert url.startswith("http://testserver/elearn/family/view/")
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    link = FamilyLink.objects.get()
    assert link.issued_by_id == learner.pk
    assert link.expires_at - link.created_at == timedelta(days=7)
    client.get(url)
    listed = client.get(page)
    assert listed.context["links"][0]["view_count"] == 1
    assert url not in listed.content.decode()  # the token is shown once only
    client.post(reverse("elearn:family-revoke", kwargs={"link_id": link.pk}))
    assert client.get(url).status_code == 410


def test_bad_input_on_the_page_changes_nothing(client, learner):
    acknowledged(learner)
    client.force_login(learner)
    for days in ("0", "31", "abc", ""):
        response = client.post(reverse("elearn:family-links"), {"days": days})
        assert response.status_code == 400
    assert not FamilyLink.objects.exists()


def test_hr_issues_for_a_learner(client, learner, make_user):
    from django.contrib.auth.models import Group

    from elearn_plugin.permissions import HR_GROUP

    hr = make_user()
    hr.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    client.force_login(hr)
    url = reverse("elearn:family-learner-links", kwargs={"user_id": learner.pk})
    response = client.post(url, {"days": "30"})
    assert response.status_code == 200 and response.context["new_url"]
    link = FamilyLink.objects.get()
    assert (link.user_id, link.issued_by_id) == (learner.pk, hr.pk)
    client.post(reverse("elearn:family-revoke", kwargs={"link_id": link.pk}))
    assert FamilyLink.objects.get().revoked_by_id == hr.pk


def test_retirement_revokes_the_links(client, learner):
    from elearn_plugin.retirement import retire_person

    issued = issue(learner)
    assert retire_person(learner.pk) is True
    assert client.get(view_url(issued.token)).status_code == 410
