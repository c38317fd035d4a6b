"""The outbox: keyed rows written in the decision's transaction, complete bilingual templates,
and a sender that marks each row sent once with retries (P-21, P-22, P-23, P-4, P-6, P-7,
P-28, P-33)."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.template.loader import get_template
from django.utils import timezone

from elearn_plugin.outbox import sender
from elearn_plugin.outbox.messages import (
    MESSAGE_TYPES,
    TEMPLATE_FILES,
    UnknownMessageType,
    template_paths,
)
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.outbox.services import OutboxError, OutboxRow, enqueue, enqueue_bulk

SAMPLE_CONTEXT = {
    "quota_warning": {"period": "2026-01", "completed": 1, "required": 2},
    "task_suspension": {"period": "2026-01", "missed": 3, "ends_on": "2026-03-01"},
    "revocation": {"months": 3},
    "sharing_flag": {"detected_on": "2026-01-07", "ends_on": "2026-01-14"},
    "account_frozen": {},
    "transfer_handover": {
        "learners": [{"learner_name": "Li Lei", "from_unit": "Sales", "to_unit": "IT"}],
        "count": 1,
        "more": 0,
        "effective_on": "2026-03-02",
    },
    "monthly_progress": {
        "period": "2026-01",
        "unit": "Sales",
        "learners": 20,
        "behind": 4,
        "link": "https://lms.example.com/elearn/units/report/2026-01.xlsx",
    },
    "monthly_summary": {
        "period": "2026-01",
        "learners": 20,
        "at_quota": 16,
        "warnings": 4,
        "suspensions": 1,
        "link": "https://lms.example.com/elearn/hr/?period=2026-01",
    },
    "progress_reminder": {"period": "2026-01", "completed": 0, "required": 2, "overdue": 1},
    "assignment_due_reminder": {
        "course_key": "course-v1:Org+SAFE101+2026",
        "course_title": "Safety & <b>health</b>",
        "due_on": "2026-03-31",
    },
    "reinstatement_link": {"link": "https://lms.example/x/", "expires_at": "2026-03-02 09:00"},
    "reinstatement_approved": {"applied_on": "2026-03-01"},
    "reinstatement_rejected": {"applied_on": "2026-03-01", "reason": "No <b>proof</b>"},
    "contribution_awarded": {
        "title": "Forklift <b>checklist</b>",
        "round": "2026-Q4",
        "rank": 1,
        "points": "20.00",
        "prize": "A day off",
    },
    "review_decided": {"title": "Safety <b>101</b>", "state": "reject", "reason": "Outdated"},
    "feedback_answered": {
        "kind": "complaint",
        "sent_on": "2026-03-02",
        "answer": "Fixed: the <b>video</b> plays again",
        "page_url": "https://lms.example/elearn/feedback/",
    },
    "feedback_routed": {
        "kind": "feedback",
        "about": "content",
        "course_key": "course-v1:Org+SAFE101+2026",
        "due_on": "2026-03-09",
        "inbox_url": "https://lms.example/elearn/feedback/inbox/",
    },
    "illegal_content_referral": {
        "referral_id": 4,
        "title": "Notes",
        "target_key": "block-v1:Org+C+R+type@elearn_approval+block@u1",
        "description": "Pirated <b>video</b>",
    },
}
PLUGIN_TEMPLATES = Path(__file__).resolve().parents[3] / "elearn_plugin" / "templates"


def test_every_policy_message_type_is_registered():
    # P-21, P-22, P-23, P-4, P-7, P-6, P-28, P-14, P-8, P-5, P-11
    assert set(MESSAGE_TYPES) == set(SAMPLE_CONTEXT)


@pytest.mark.parametrize("name", sorted(SAMPLE_CONTEXT))
def test_every_message_type_has_all_five_template_files(name):
    # edx-ace drops a message silently when one file is missing
    for path in template_paths(name):
        assert (PLUGIN_TEMPLATES / path).is_file(), path
        get_template(path)  # parses
    assert len(TEMPLATE_FILES) == 5


@pytest.mark.parametrize("language", ["en", "zh-cn"])
@pytest.mark.parametrize("name", sorted(SAMPLE_CONTEXT))
def test_every_message_type_renders_in_both_languages(name, language):
    context = {**SAMPLE_CONTEXT[name], "recipient_name": "<b>Reader</b>", "platform_name": ""}
    parts = sender.render_email(name, context, language)
    assert parts["subject.txt"].strip()
    assert "\n" not in parts["subject.txt"].strip()
    assert parts["from_name.txt"].strip()
    assert parts["body.txt"].strip()
    # the html body escapes what it shows; the text body does not need to
    assert "&lt;b&gt;Reader&lt;/b&gt;" in parts["body.html"]
    assert "<b>Reader</b>" not in parts["body.html"]
    assert "<b>Reader</b>" in parts["body.txt"]
    assert "&amp;" not in parts["subject.txt"]


def test_the_message_types_are_edx_ace_types():
    from edx_ace.message import MessageType

    for name, cls in MESSAGE_TYPES.items():
        instance = cls(context={})
        assert isinstance(instance, MessageType)
        assert (instance.app_label, instance.name) == ("elearn_plugin", name)
        assert instance.options["transactional"] is True


def _enqueue(user, key="quota_warning:1:2026-01", message_type="quota_warning", **context):
    return enqueue(key, message_type, user.pk, {**SAMPLE_CONTEXT["quota_warning"], **context})


def test_enqueue_twice_writes_one_row(make_user):
    # P-21, P-33: one reminder email per learner and month
    user = make_user()
    assert _enqueue(user) is True
    assert _enqueue(user) is False
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(make_user):
    user = make_user()
    with pytest.raises(OutboxError, match="transaction.atomic"):
        _enqueue(user)
    with pytest.raises(OutboxError, match="transaction.atomic"):
        enqueue_bulk([OutboxRow("k", "account_frozen", user.pk, {})])
    assert OutboxMessage.objects.count() == 0
    with transaction.atomic():
        assert _enqueue(user) is True
    assert OutboxMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("k", "birthday", {}), UnknownMessageType, "unknown message type"),
        (("", "account_frozen", {}), OutboxError, "key"),
        (("k", "quota_warning", {"period": "2026-01"}), OutboxError, "lacks"),
        (("k", "account_frozen", {"when": object()}), OutboxError, "JSON"),
        (("k", "account_frozen", ["not", "a", "dict"]), OutboxError, "dict"),
    ],
)
def test_bad_messages_are_refused(make_user, args, error, message):
    user = make_user()
    key, message_type, context = args
    with pytest.raises(error, match=message):
        enqueue(key, message_type, user.pk, context)
    with pytest.raises(error, match=message):
        enqueue_bulk([OutboxRow(key, message_type, user.pk, context)])
    assert OutboxMessage.objects.count() == 0


def test_unknown_recipient_is_refused(db):
    with pytest.raises(OutboxError, match="unknown user"):
        enqueue("k", "account_frozen", 999999, {})


def test_enqueue_bulk_counts_new_rows_and_writes_nothing_on_a_bad_row(make_user):
    # P-33
    a, b = make_user(), make_user()
    rows = [OutboxRow(f"frozen:{u.pk}", "account_frozen", u.pk, {}) for u in (a, b)]
    assert enqueue_bulk([*rows, rows[0]]) == 2
    assert enqueue_bulk(rows) == 0
    bad = OutboxRow("x", "quota_warning", a.pk, {})
    with pytest.raises(OutboxError):
        enqueue_bulk([OutboxRow("new", "account_frozen", a.pk, {}), bad])
    assert OutboxMessage.objects.count() == 2


@pytest.fixture
def django_mail(settings):
    settings.ELEARN_OUTBOX_BACKEND = "django"
    settings.ELEARN_MESSAGE_FROM = "academy@example.org"
    settings.ELEARN_MESSAGE_ID_DOMAIN = "academy.example.org"
    settings.ELEARN_OUTBOX_MAX_ATTEMPTS = 3
    return settings


def test_a_message_is_sent_with_a_stable_message_id(make_user, django_mail):
    # P-21
    user = make_user(email="learner@example.com")
    _enqueue(user, key="quota_warning:7:2026-01")
    result = sender.send_pending()
    assert (result.sent, result.failed, result.remaining) == (1, 0, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@example.com"]
    assert message.extra_headers["Message-ID"] == sender.message_id("quota_warning:7:2026-01")
    assert message.extra_headers["Message-ID"].endswith("@academy.example.org>")
    assert "2026-01" in message.subject
    assert message.alternatives[0].mimetype == "text/html"
    assert OutboxMessage.objects.get().sent_at is not None
    assert sender.send_pending().sent == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_later_and_sent_exactly_once(make_user, django_mail):
    # P-33: rows exactly once, delivery at least once
    user = make_user()
    _enqueue(user)
    real_send = sender.EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError(f"cannot reach mail server for {user.email}")
        return real_send(self, *args, **kwargs)

    now = timezone.now()
    with mock.patch.object(sender.EmailMultiAlternatives, "send", flaky):
        first = sender.send_pending(now=now)
        assert (first.sent, first.failed) == (0, 1)
        row = OutboxMessage.objects.get()
        assert row.sent_at is None and row.attempts == 1
        assert row.next_attempt_at > now  # backed off
        assert row.last_error == "ConnectionRefusedError"  # no address in the error
        assert sender.send_pending(now=now).sent == 0  # not due yet
        later = sender.send_pending(now=now + timedelta(hours=1))
        assert later.sent == 1
        assert sender.send_pending(now=now + timedelta(hours=2)).sent == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""


def test_sending_gives_up_after_the_last_attempt_and_keeps_the_error(make_user, django_mail):
    user = make_user()
    _enqueue(user)
    now = timezone.now()
    with mock.patch.object(sender.EmailMultiAlternatives, "send", side_effect=OSError("boom")):
        for hour in range(10):
            sender.send_pending(now=now + timedelta(days=hour))
    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempt(s): OSError")
    assert sender.backlog(now)["given_up"] == 1
    assert mail.outbox == []


def test_a_placeholder_address_is_given_up_at_once(make_user, django_mail):
    user = make_user(email="e123@learners.invalid")
    _enqueue(user)
    result = sender.send_pending()
    assert result.failed == 1
    row = OutboxMessage.objects.get()
    assert row.attempts == 3
    assert "no deliverable address" in row.last_error
    assert "learners.invalid" not in row.last_error
    assert mail.outbox == []


def test_a_row_claimed_by_another_sender_is_not_sent_again(make_user, django_mail):
    # P-33: a second sender running at the same time skips claimed rows
    user = make_user()
    _enqueue(user)
    now = timezone.now()
    assert sender._claim(10, now, "other-sender") == 1
    assert sender.send_pending(now=now).sent == 0
    assert mail.outbox == []


def test_the_message_is_rendered_in_the_row_language(make_user, django_mail):
    user = make_user()
    enqueue("k", "account_frozen", user.pk, {}, language="zh-cn")
    with mock.patch.object(sender, "render_email", wraps=sender.render_email) as render:
        sender.send_pending()
    assert render.call_args.args[2] == "zh-cn"
    assert len(mail.outbox) == 1


def test_send_pending_refuses_a_bad_limit(db):
    with pytest.raises(ValueError):
        sender.send_pending(limit=0)


def test_edx_ace_delivers_with_the_message_id(make_user, settings):
    # inside Open edX: the platform's own mail path, confirmed by ACE_MESSAGE_SENT
    settings.ELEARN_OUTBOX_BACKEND = "auto"
    settings.ACE_ENABLED_CHANNELS = ["django_email"]
    settings.ACE_CHANNEL_DEFAULT_EMAIL = "django_email"
    settings.ACE_CHANNEL_TRANSACTIONAL_EMAIL = "django_email"
    settings.ACE_ENABLED_POLICIES = []
    settings.DEFAULT_FROM_EMAIL = "academy@example.org"
    assert sender.backend() == "ace"
    user = make_user(email="ace@example.com")
    enqueue("revocation:1", "revocation", user.pk, {"months": 3})
    with mock.patch("edx_ace.channel.channels") as channels:
        from edx_ace.channel import ChannelMap, ChannelType
        from edx_ace.channel.django_email import DjangoEmailChannel

        channel = DjangoEmailChannel()
        channels.return_value = ChannelMap([["django_email", channel]])
        assert channel.channel_type == ChannelType.EMAIL
        result = sender.send_pending()
    assert result.sent == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == sender.message_id("revocation:1")


def test_edx_ace_silent_drop_is_a_failure(make_user, settings):
    settings.ELEARN_OUTBOX_BACKEND = "ace"
    user = make_user()
    enqueue("k", "account_frozen", user.pk, {})
    with mock.patch("edx_ace.ace.send", return_value=None):
        result = sender.send_pending()
    assert result.failed == 1
    assert "did not confirm" in OutboxMessage.objects.get().last_error
