"""HR decides on an application: approval reopens the account, rejection keeps it closed;
every step is audited and the learner is told by mail in their language (P-8, P-23)."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.sender import render_email, send_pending
from elearn_plugin.reinstatement import admin as reinstatement_admin
from elearn_plugin.reinstatement import services
from elearn_plugin.reinstatement.models import ReinstatementApplication, ReinstatementLink
from elearn_plugin.retirement import retire_person
from elearn_plugin.standing.blocks import active_block
from tests.helpers.role_matrix import role_users  # noqa: F401 (a fixture)
from tests.unit.reinstatement.conftest import PASSWORD, close, mailed_token


def _link_url(token: str) -> str:
    return f"http://testserver{reverse('elearn:reinstatement-apply', kwargs={'token': token})}"


def _application(user, statement="I was on leave; I will catch up this month."):
    assert services.request_link(user.email, link_url=_link_url)
    return services.apply(mailed_token(user), statement)


def _verbs(target_pk=None) -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))


def test_approval_reopens_the_account(client, revoked, make_user):  # P-8, P-23
    hr = make_user(is_staff=True)
    application = _application(revoked)
    assert not client.login(username=revoked.username, password=PASSWORD)
    services.approve(application.pk, actor=hr, reason="Leave certificate checked.")
    assert active_block(revoked.pk) is None
    assert client.login(username=revoked.username, password=PASSWORD)
    application.refresh_from_db()
    assert (application.status, application.decided_by_id) == ("approved", hr.pk)
    assert application.pending_user is None
    verbs = _verbs()
    for verb in ("reinstatement.link_sent", "reinstatement.applied", "sanction.lifted"):
        assert verb in verbs
    approved = AuditEvent.objects.get(verb="reinstatement.approved")
    assert approved.actor_user_id == hr.pk and approved.data["count"] == 1
    applied = AuditEvent.objects.get(verb="reinstatement.applied")
    assert applied.actor_user_id == revoked.pk  # the link proved who applied
    mail.outbox.clear()
    send_pending(limit=10)
    assert [m.subject for m in mail.outbox] == ["Your learning account has been reopened"]


def test_rejection_keeps_it_closed_and_says_why(revoked, make_user):  # P-8
    hr = make_user(is_staff=True)
    application = _application(revoked)
    with pytest.raises(services.ReinstatementError):
        services.reject(application.pk, actor=hr, reason="  ")
    services.reject(application.pk, actor=hr, reason="Three reminders were ignored.")
    assert active_block(revoked.pk).kind == "revocation"
    mail.outbox.clear()
    send_pending(limit=10)
    (message,) = mail.outbox
    assert "not approved" in message.subject
    assert "Three reminders were ignored." in message.body
    # A decided application is decided: neither decision can be taken again.
    for decide in (services.approve, services.reject):
        with pytest.raises(services.ReinstatementError, match="decided already"):
            decide(application.pk, actor=hr, reason="again")
    # The learner may apply again after a rejection.
    assert services.request_link(revoked.email, link_url=_link_url)


def test_one_waiting_application_at_a_time(revoked):  # P-8
    _application(revoked)
    # No new link while one waits (the page still answers the same).
    assert not services.request_link(revoked.email, link_url=_link_url)
    assert ReinstatementApplication.objects.filter(user=revoked).count() == 1


def test_two_links_make_one_application(revoked):  # P-8
    services.request_link(revoked.email, link_url=_link_url)
    first = mailed_token(revoked)
    services.request_link(revoked.email, link_url=_link_url)
    second = mailed_token(revoked)
    services.apply(first, "First.")
    with pytest.raises(services.ReinstatementError, match="already with the HR centre"):
        services.apply(second, "Second.")
    assert ReinstatementApplication.objects.count() == 1
    assert ReinstatementLink.objects.get(token_hash=services._hash(second)).used_at is None


def test_a_frozen_leaver_can_apply_too(make_user):  # P-7, P-8
    user = make_user()
    close(user, "freeze")
    application = _application(user)
    assert application.blocked_kind == "freeze"


def test_the_token_is_not_stored(revoked):
    services.request_link(revoked.email, link_url=_link_url)
    token = mailed_token(revoked)
    link = ReinstatementLink.objects.get()
    assert token not in link.token_hash
    assert link.token_hash == services._hash(token)


@pytest.mark.parametrize("statement", [None, "", "x" * (services.MAX_STATEMENT + 1)])
def test_bad_statements_change_nothing(revoked, statement):
    services.request_link(revoked.email, link_url=_link_url)
    token = mailed_token(revoked)
    with pytest.raises(services.ReinstatementError):
        services.apply(token, statement)
    assert not ReinstatementApplication.objects.exists()


@pytest.mark.parametrize("identifier", [None, 7, "", " ", "x" * 300, "a@b", "%"])
def test_bad_identifiers_send_nothing(revoked, identifier):
    assert not services.request_link(identifier, link_url=_link_url)
    assert not OutboxMessage.objects.exists()


def test_approval_of_an_unknown_application_is_refused(make_user):
    with pytest.raises(services.ReinstatementError, match="No such application"):
        services.approve(999, actor=make_user(is_staff=True), reason="ok")


def test_a_reopened_account_cannot_use_an_old_link(revoked, make_user):
    services.request_link(revoked.email, link_url=_link_url)
    spare = mailed_token(revoked)
    application = _application(revoked)
    services.approve(application.pk, actor=make_user(is_staff=True), reason="ok")
    with pytest.raises(services.ReinstatementError, match="open"):
        services.open_link(spare)


def test_the_mails_speak_the_learners_language():
    parts = render_email(
        "reinstatement_link",
        {"recipient_name": "Ada", "link": "http://x/", "expires_at": "2026-12-04 09:00"},
        "zh-cn",
    )
    assert "http://x/" in parts["body.txt"] and "链接" in parts["body.txt"]
    parts = render_email(
        "reinstatement_rejected",
        {"recipient_name": "Ada", "applied_on": "2026-12-03", "reason": "<b>no</b>"},
        "zh-cn",
    )
    assert "未" in parts["subject.txt"]
    assert "<b>no</b>" not in parts["body.html"]  # HR's text is escaped in the HTML part


def _admin_request(user, data):
    request = RequestFactory().post("/admin/", data)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_hr_decides_in_the_admin_with_a_reason(revoked, role_users):  # noqa: F811 - P-31
    application = _application(revoked)
    model_admin = admin.site._registry[ReinstatementApplication]
    queryset = ReinstatementApplication.objects.filter(pk=application.pk)
    # The first step shows the statement and asks for the reason.
    page = reinstatement_admin.approve(model_admin, _admin_request(role_users.hr, {}), queryset)
    page.render()
    assert "I was on leave" in page.rendered_content
    # A learner, a contact or a reviewer decides nothing, and is offered no action.
    for role in ("learner", "contact", "reviewer"):
        user = role_users.user(role)
        request = _admin_request(user, {"apply": "1", "reason": "ok"})
        assert reinstatement_admin.approve(model_admin, request, queryset) is None
        assert model_admin.get_actions(request) == {}
    assert active_block(revoked.pk) is not None
    request = _admin_request(role_users.hr, {"apply": "1", "reason": "Certificate checked."})
    reinstatement_admin.approve(model_admin, request, queryset)
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.decision_reason == "Certificate checked."
    assert active_block(revoked.pk) is None


def test_retirement_erases_the_statement_and_spends_the_links(revoked):  # P-7
    application = _application(revoked)
    assert not services.request_link(revoked.email, link_url=_link_url)  # one is waiting
    services.reject(application.pk, actor=None, reason="Records incomplete.")
    assert services.request_link(revoked.email, link_url=_link_url)
    spare = mailed_token(revoked)
    assert retire_person(revoked.pk)
    application.refresh_from_db()
    assert (application.statement, application.decision_reason) == ("", "")
    with pytest.raises(services.ReinstatementError):
        services.open_link(spare)
    assert not retire_person(revoked.pk)  # nothing left to erase
