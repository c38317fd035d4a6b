"""The public pages of reinstatement: the link request (no enumeration, rate-limited) and the
one-time application page; and their role matrices (P-8, P-23, P-31)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from elearn_plugin.reinstatement.models import ReinstatementApplication, ReinstatementLink
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.reinstatement.conftest import close, links_queued, mailed_token

REQUEST = reverse("elearn:reinstatement-request")


def apply_url(token: str) -> str:
    return reverse("elearn:reinstatement-apply", kwargs={"token": token})


def _ask(client, identifier, **extra):
    return client.post(REQUEST, {"identifier": identifier}, **extra)


def test_request_page_matrix(client, role_users):  # noqa: F811 - P-31
    # Public: the blocked role is a suspended learner still holding a session, whom the
    # blocking middleware signs out first (P-8), as on every page.
    everyone = {role: 200 for role in ("anonymous", "learner", "other_learner", "contact")}
    everyone |= {"other_contact": 200, "hr": 200, "reviewer": 200, "publisher": 200}
    assert_role_matrix(client, "get", REQUEST, everyone | {"blocked": 403})
    cache.clear()
    assert_role_matrix(client, "post", REQUEST, everyone | {"blocked": 403}, {"identifier": "x"})


def test_apply_page_matrix(client, role_users, make_user):  # noqa: F811 - P-31
    revoked = make_user()
    close(revoked)
    _ask(client, revoked.email)
    url = apply_url(mailed_token(revoked))
    everyone = {role: 200 for role in ("anonymous", "learner", "other_learner", "contact")}
    everyone |= {"other_contact": 200, "hr": 200, "reviewer": 200, "publisher": 200}
    # The link, not the session, is the credential: whoever holds it sees the form.
    assert_role_matrix(client, "get", url, everyone | {"blocked": 403})
    assert_role_matrix(
        client, "get", apply_url("x" * 43), {r: 410 for r in everyone} | {"blocked": 403}
    )


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, revoked, make_user):
    # P-8: no account enumeration; only the revoked account is mailed.
    open_account = make_user()
    answers = []
    for identifier in (revoked.email, "nobody@example.com", open_account.email, "no-such-user"):
        response = _ask(client, identifier)
        answers.append((response.status_code, response.content.decode().replace(identifier, "")))
    assert len(set(answers)) == 1, "the page told the accounts apart"
    assert answers[0][0] == 200
    assert links_queued(revoked) == 1
    assert links_queued(open_account) == 0
    assert ReinstatementLink.objects.count() == 1


def test_a_suspended_learner_is_sent_nothing(client, make_user):  # P-8
    # A suspension ends by itself: there is nothing to apply for.
    suspended = make_user()
    close(suspended, "suspension")
    assert _ask(client, suspended.email).status_code == 200
    assert links_queued(suspended) == 0


def test_the_link_opens_the_form_once(client, revoked):  # P-8
    _ask(client, revoked.username)  # a username works as well as the address
    url = apply_url(mailed_token(revoked))
    page = client.get(url)
    assert page.status_code == 200 and b"statement" in page.content
    sent = client.post(url, {"statement": "I was on sick leave; the certificate is attached."})
    assert sent.status_code == 200
    assert "sent to the HR centre" in sent.content.decode()
    again = client.post(url, {"statement": "A second application."})
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert ReinstatementApplication.objects.filter(user=revoked).count() == 1


def test_an_expired_link_is_refused(client, revoked):  # P-8
    _ask(client, revoked.email)
    url = apply_url(mailed_token(revoked))
    link = ReinstatementLink.objects.get(user=revoked)
    with freeze_time(link.expires_at + timedelta(seconds=1)):
        response = client.post(url, {"statement": "Please reopen it."})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not ReinstatementApplication.objects.exists()


def test_an_empty_statement_changes_nothing(client, revoked):
    _ask(client, revoked.email)
    url = apply_url(mailed_token(revoked))
    response = client.post(url, {"statement": "   "})
    assert response.status_code == 400
    assert not ReinstatementApplication.objects.exists()
    assert client.get(url).status_code == 200  # the link is not spent


@pytest.mark.parametrize("token", ["", "short", "x" * 200, "../../admin", "%00"])
def test_a_broken_token_is_a_clear_refusal(client, token):
    try:
        url = apply_url(token)
    except Exception:  # noqa: BLE001 - the URL pattern itself refuses it
        return
    response = client.get(url)
    assert response.status_code in (404, 410)


def test_an_address_is_rate_limited(client, revoked, settings):  # P-8
    settings.ELEARN_REINSTATEMENT_REQUESTS_PER_HOUR = 3
    codes = [_ask(client, "nobody@example.com").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    limited = _ask(client, revoked.email)
    assert limited.status_code == 429
    assert "Too many requests" in limited.content.decode()
    assert links_queued(revoked) == 0
    # Another address is not limited by this one.
    assert _ask(client, revoked.email, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert links_queued(revoked) == 1


def test_an_account_gets_a_few_links_a_day(client, revoked, settings):  # P-8
    settings.ELEARN_REINSTATEMENT_LINKS_PER_DAY = 2
    for n in range(4):
        assert _ask(client, revoked.email, REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    assert links_queued(revoked) == 2
    with freeze_time(timedelta(days=1, minutes=1)):
        _ask(client, revoked.email)
    assert links_queued(revoked) == 3


def test_the_refusal_page_links_to_the_application(client, revoked):  # P-8
    client.force_login(revoked)
    page = client.get("/dashboard")
    assert page.status_code == 403
    assert REQUEST in page.content.decode()


def test_the_pages_speak_chinese(client, revoked):
    # override() puts the suite's language back after the middleware switched it.
    with translation.override("en"):
        page = client.get(REQUEST, HTTP_ACCEPT_LANGUAGE="zh-cn")
    assert "申请" in page.content.decode()
