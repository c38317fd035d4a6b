"""Requests, feedback and complaints: the learner's page, HR's and the course team's inbox,
the states, the answer mail, late items and bad input (P-29, P-31, P-32)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.feedback import services
from elearn_plugin.feedback.models import FeedbackItem, ItemState
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.sender import send_pending
from elearn_plugin.tick.services import health, run_tick
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.feedback.conftest import COURSE, OTHER_COURSE

PAGE = reverse("elearn:feedback")
INBOX = reverse("elearn:feedback-inbox")
SIGNED_IN = ("learner", "other_learner", "contact", "other_contact", "hr", "reviewer", "publisher")


def item_url(item) -> str:
    return reverse("elearn:feedback-inbox-item", args=[item.pk])


def complaint(user, **extra) -> FeedbackItem:
    fields = {"kind": "complaint", "about": "platform", "subject": "Video stops", "body": "Why?"}
    return services.submit_item(user, **(fields | extra))


def test_learner_page_matrix(client, role_users, course_keys):  # noqa: F811 - P-29, P-31
    everyone = {role: 200 for role in SIGNED_IN} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "get", PAGE, everyone)
    form = {"kind": "feedback", "about": "platform", "subject": "Slow", "body": "Pages load slowly"}
    sent = {role: 302 for role in SIGNED_IN} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "post", PAGE, sent, form)
    assert FeedbackItem.objects.count() == len(SIGNED_IN)  # one each; none for anonymous/blocked


def test_close_matrix(client, role_users):  # noqa: F811 - P-29, P-31
    item = complaint(role_users.learner)
    url = reverse("elearn:feedback-close", args=[item.pk])
    others = {role: 404 for role in SIGNED_IN if role != "learner"}
    expected = others | {"anonymous": 302, "learner": 302, "blocked": 403}
    assert_role_matrix(client, "post", url, expected, {})
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED and item.closed_by_learner


def test_inbox_matrix(client, role_users):  # noqa: F811 - P-29, P-31
    expected = {role: 403 for role in SIGNED_IN} | {"anonymous": 302, "blocked": 403}
    # HR reads every item; the publisher group runs every course (ADR 0003).
    assert_role_matrix(client, "get", INBOX, expected | {"hr": 200, "publisher": 200})


def test_inbox_item_matrix(client, role_users, course_keys):  # noqa: F811 - P-29, P-31
    platform = complaint(role_users.learner)
    content = complaint(role_users.learner, about="content", course_key=COURSE)
    refused = {role: 403 for role in SIGNED_IN} | {"anonymous": 302, "blocked": 403}
    assert_role_matrix(client, "get", item_url(platform), refused | {"hr": 200, "publisher": 404})
    assert_role_matrix(client, "get", item_url(content), refused | {"hr": 200, "publisher": 200})


@pytest.mark.no_principal
def test_answer_reaches_the_learner_by_mail_once(client, make_user):  # P-29
    learner, hr = make_user(), make_user(is_staff=True)
    client.force_login(learner)
    client.post(PAGE, {"kind": "complaint", "about": "platform", "subject": "Video stops",
                       "body": "On my phone"})  # fmt: skip
    item = FeedbackItem.objects.get(user=learner)
    assert item.state == ItemState.OPEN and item.due_at > item.created_at

    client.force_login(hr)
    answered = client.post(item_url(item), {"answer": "Update the app to 2.4."})
    assert answered.status_code == 200
    item.refresh_from_db()
    assert (item.state, item.answer, item.answered_by) == (
        ItemState.ANSWERED,
        "Update the app to 2.4.",
        hr,
    )
    again = client.post(item_url(item), {"answer": "A second answer"})
    assert again.status_code == 400 and "answered or closed already" in again.content.decode()
    rows = OutboxMessage.objects.filter(message_type="feedback_answered")
    assert rows.count() == 1 and rows.get().user_id == learner.pk
    # The context holds the answer shown and no name, address or what the learner wrote.
    assert set(rows.get().context) == {"kind", "sent_on", "answer", "page_url"}

    mail.outbox.clear()
    send_pending(limit=50)
    send_pending(limit=50)
    sent = [m for m in mail.outbox if learner.email in m.to]
    assert len(sent) == 1 and "Update the app to 2.4." in sent[0].body
    assert sent[0].subject == "Your complaint has been answered"

    verbs = AuditEvent.objects.filter(target=f"elearn_plugin.feedbackitem:{item.pk}")
    assert {(e.verb, e.actor_user_id) for e in verbs} == {
        ("feedback.submitted", learner.pk),
        ("feedback.answered", hr.pk),
    }

    client.force_login(learner)
    page = client.get(PAGE).content.decode()
    assert "Update the app to 2.4." in page
    assert client.post(reverse("elearn:feedback-close", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED
    twice = client.post(reverse("elearn:feedback-close", args=[item.pk]))
    assert twice.status_code == 400 and "closed already" in twice.content.decode()


@pytest.mark.no_principal
def test_an_answered_item_closes_itself_after_the_days_set(make_user, settings):  # P-29, P-33
    settings.ELEARN_FEEDBACK_CLOSE_DAYS = 14
    learner, hr = make_user(), make_user(is_staff=True)
    from elearn_plugin.audit import acting_as

    with acting_as("system:tests"):
        item = complaint(learner)
        fresh = complaint(learner)
    answered_at = timezone.now() - timedelta(days=15)
    services.answer_item(item.pk, actor=hr, answer="Done", now=answered_at)
    services.answer_item(fresh.pk, actor=hr, answer="Done")
    report = run_tick(only="feedback.close_answered")
    assert report.jobs["feedback.close_answered"].summary == {"closed": 1}
    assert run_tick(only="feedback.close_answered").jobs["feedback.close_answered"].summary == {
        "closed": 0
    }
    item.refresh_from_db(), fresh.refresh_from_db()
    assert (item.state, item.closed_by_learner) == (ItemState.CLOSED, False)
    assert fresh.state == ItemState.ANSWERED
    event = AuditEvent.objects.get(verb="feedback.closed")
    assert event.actor_system == "job:feedback.close_answered"
    assert event.data == {"item_id": item.pk, "reason_code": "answered"}


def test_late_items_are_shown_to_hr(client, make_user, settings):  # P-29
    settings.ELEARN_FEEDBACK_ANSWER_DAYS = 5
    learner = make_user()
    hr = make_user(is_staff=True, is_superuser=True)
    old = complaint(learner, subject="Old one", now=timezone.now() - timedelta(days=8))
    new = complaint(learner, subject="New one")
    answered = complaint(learner, subject="Answered one", now=timezone.now() - timedelta(days=9))
    services.answer_item(answered.pk, actor=hr, answer="Late but done")
    assert old.is_late() and not new.is_late()
    assert list(services.late_items()) == [old]
    assert "feedback_late:1" in health()["problems"]

    client.force_login(hr)
    listed = client.get(INBOX, {"late": "1", "state": "open"}).content.decode()
    assert "Old one" in listed and "New one" not in listed and "Answered one" not in listed
    admin = client.get(reverse("admin:elearn_plugin_feedbackitem_changelist"), {"late": "yes"})
    assert admin.status_code == 200
    assert "Old one" in admin.content.decode() and "New one" not in admin.content.decode()
    by_kind = client.get(
        reverse("admin:elearn_plugin_feedbackitem_changelist"), {"state": "answered"}
    )
    assert "Answered one" in by_kind.content.decode() and "Old one" not in by_kind.content.decode()
    services.answer_item(old.pk, actor=hr, answer="Sorry for the wait")
    assert not any(p.startswith("feedback_late") for p in health()["problems"])


def test_the_course_team_sees_and_answers_only_its_courses_content(
    client, make_user, team_member
):  # P-29, P-31
    learner = make_user()
    mine = complaint(
        learner, kind="feedback", about="question", course_key=COURSE, subject="Ch. 3?"
    )
    other = complaint(learner, kind="feedback", about="content", course_key=OTHER_COURSE,
                      subject="Excel typo")  # fmt: skip
    platform = complaint(learner, subject="Login fails")
    # Routed: the course's team is told by mail, without the learner's words.
    routed = OutboxMessage.objects.filter(message_type="feedback_routed")
    assert list(routed.values_list("user_id", flat=True)) == [team_member.pk]
    assert routed.get().context["course_key"] == COURSE

    client.force_login(team_member)
    page = client.get(INBOX, {"state": "all"}).content.decode()
    assert "Ch. 3?" in page and "Excel typo" not in page and "Login fails" not in page
    assert client.get(item_url(other)).status_code == 404
    assert client.get(item_url(platform)).status_code == 404
    assert client.post(item_url(other), {"answer": "x"}).status_code == 404
    assert (
        client.post(item_url(mine), {"answer": "Use CO2 for electrical fires."}).status_code == 200
    )
    mine.refresh_from_db(), other.refresh_from_db()
    assert mine.state == ItemState.ANSWERED and mine.answered_by == team_member
    assert other.state == ItemState.OPEN
    with pytest.raises(services.FeedbackError):
        services.answer_item(platform.pk, actor=team_member, answer="Not mine")


COMPLAINT = {"kind": "complaint", "about": "platform", "subject": "s", "body": "x"}
CONTENT = {"kind": "feedback", "about": "content", "subject": "s", "body": "x"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (COMPLAINT | {"subject": ""}, "This field is required"),
        (COMPLAINT | {"subject": "   "}, "This field is required"),
        (COMPLAINT | {"body": ""}, "Write what you want"),
        (COMPLAINT | {"body": "x" * 4001}, "at most 4000"),
        (COMPLAINT | {"subject": "s" * 201}, "at most 200"),
        (CONTENT | {"course_key": "course-v1:No+Such+1"}, "valid choice"),
        (CONTENT, "Choose the course"),
        (CONTENT | {"about": ""}, "Say what it is about"),
        (COMPLAINT | {"kind": "praise"}, "valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, make_user, course_keys, form, message):
    client.force_login(make_user())
    response = client.post(PAGE, form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (
        not FeedbackItem.objects.exists()
        and not AuditEvent.objects.filter(verb="feedback.submitted").exists()
    )


def test_unknown_course_refused_by_the_service_too(make_user, course_keys):
    with pytest.raises(services.FeedbackError, match="no such course"):
        complaint(make_user(), about="content", course_key="course-v1:No+Such+1")
    assert not FeedbackItem.objects.exists()


def test_a_course_request_needs_only_the_course_wanted(client, make_user, course_keys):  # P-29
    client.force_login(make_user())
    response = client.post(PAGE, {"kind": "course_request", "subject": "Python for data",
                                  "course_key": OTHER_COURSE})  # fmt: skip
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert (item.kind, item.about, item.course_key) == ("course_request", "", OTHER_COURSE)


def test_an_empty_answer_changes_nothing(client, make_user):
    item = complaint(make_user())
    client.force_login(make_user(is_staff=True))
    response = client.post(item_url(item), {"answer": "   "})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.state == ItemState.OPEN and not OutboxMessage.objects.exists()


def test_submissions_are_rate_limited(client, make_user, settings):  # P-29
    settings.ELEARN_FEEDBACK_PER_DAY = 2
    client.force_login(make_user())
    form = {"kind": "feedback", "about": "platform", "subject": "Idea", "body": "More quizzes"}
    assert [client.post(PAGE, form).status_code for _ in range(2)] == [302, 302]
    refused = client.post(PAGE, form)
    assert refused.status_code == 429
    assert "most allowed" in refused.content.decode()
    assert FeedbackItem.objects.count() == 2


def test_a_learner_sees_only_their_own_items(client, make_user):  # P-31
    mine, theirs = make_user(), make_user()
    complaint(mine, subject="My own subject")
    complaint(theirs, subject="Somebody else's subject")
    client.force_login(mine)
    page = client.get(PAGE).content.decode()
    assert "My own subject" in page and "Somebody else" not in page
