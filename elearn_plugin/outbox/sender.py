"""Delivery of outbox rows: each row is marked sent once; delivery is at least once.

A sender claims due rows with a conditional UPDATE (and `SKIP LOCKED` where the database has
it), so two senders never hold the same row; a sender killed after claiming leaves the row to
be retried when its lease ends. Delivery goes through edx-ace inside Open edX and through
Django mail elsewhere, with a Message-ID derived from the row's key so that a repeated
delivery can be recognised as the same message by mail clients.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Min
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from elearn_plugin.conf import setting
from elearn_plugin.host.ace import ace_installed, host_languages, send_with_ace
from elearn_plugin.outbox.messages import (
    TEMPLATE_FILES,
    UnknownMessageType,
    get_message_type,
    template_paths,
)
from elearn_plugin.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

_HTML_DOCUMENT = """<!DOCTYPE html>
<html>
<head>
{head}
</head>
<body>
{body}
</body>
</html>"""


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    remaining: int

    def as_dict(self) -> dict:
        return asdict(self)


class DeliveryError(Exception):
    """A delivery failed for a reason worth retrying; the text holds no personal data."""


class PermanentDeliveryError(DeliveryError):
    """A delivery that cannot succeed by retrying (no address, no template)."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    """Attempts after which a row is given up (kept, with its last error)."""
    return int(setting("ELEARN_OUTBOX_MAX_ATTEMPTS"))


def message_id(key: str) -> str:
    """The stable Message-ID of the row with this key."""
    domain = setting("ELEARN_MESSAGE_ID_DOMAIN")
    if not domain:
        address = parseaddr(_from_address())[1]
        domain = address.rpartition("@")[2] or "elearn.localdomain"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def _from_address() -> str:
    return setting("ELEARN_MESSAGE_FROM") or _setting("DEFAULT_FROM_EMAIL", "")


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off with jitter, so that a failing mail server is not hammered."""
    base = float(setting("ELEARN_OUTBOX_RETRY_BASE_SECONDS"))
    cap = float(setting("ELEARN_OUTBOX_RETRY_MAX_SECONDS"))
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))


def backend() -> str:
    """'ace' or 'django', from ELEARN_OUTBOX_BACKEND ('auto' picks ace when it is configured)."""
    choice = setting("ELEARN_OUTBOX_BACKEND")
    if choice in ("ace", "django"):
        return choice
    if choice != "auto":
        raise ValueError(f"ELEARN_OUTBOX_BACKEND must be auto, ace or django, not {choice!r}")
    if not ace_installed():
        return "django"
    configured = _setting("ACE_ENABLED_CHANNELS", None) and _setting(
        "ACE_CHANNEL_DEFAULT_EMAIL", None
    )
    return "ace" if configured else "django"


def _due(now: datetime):
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, attempts__lt=max_attempts(), next_attempt_at__lte=now
    )


def _claim(limit: int, now: datetime, token: str) -> int:
    lease = timedelta(seconds=int(setting("ELEARN_OUTBOX_LEASE_SECONDS")))
    with transaction.atomic():
        candidates = _due(now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return 0
        # The WHERE is evaluated again under the row lock: a row another sender claimed or
        # sent in between is not taken.
        return (
            _due(now)
            .filter(id__in=ids)
            .update(claim=token, next_attempt_at=now + lease, attempts=F("attempts") + 1)
        )


def send_pending(limit: int = 200, now: datetime | None = None) -> SendResult:
    """Deliver up to `limit` due messages; returns counts and how many are still due."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ValueError("limit must be a positive integer")
    now = now or timezone.now()
    token = uuid.uuid4().hex
    sent = failed = 0
    if _claim(limit, now, token):
        rows = list(OutboxMessage.objects.filter(claim=token).select_related("user"))
        # The recipients' language preferences, one query for the batch.
        preferred = host_languages({row.user_id for row in rows if not row.language})
        for row in rows:
            try:
                deliver(row, language=_language(row, preferred))
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                _record_failure(row, exc, now, token)
                failed += 1
            else:
                if _mark_sent(row):
                    sent += 1
    return SendResult(sent=sent, failed=failed, remaining=_due(now).count())


def _mark_sent(row: OutboxMessage) -> bool:
    """Mark the row sent; only the first marking counts, so the row is sent once."""
    return bool(
        OutboxMessage.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), claim="", last_error=""
        )
    )


def _record_failure(row: OutboxMessage, exc: Exception, now: datetime, token: str) -> None:
    limit = max_attempts()
    if isinstance(exc, DeliveryError):
        reason = str(exc)
    else:
        # Exception texts of mail libraries may quote addresses: keep only the class name.
        reason = type(exc).__name__
    attempts = limit if isinstance(exc, PermanentDeliveryError) else row.attempts
    if attempts >= limit:
        reason = f"gave up after {row.attempts} attempt(s): {reason}"
    OutboxMessage.objects.filter(pk=row.pk, sent_at__isnull=True, claim=token).update(
        claim="",
        attempts=max(attempts, row.attempts),
        last_error=reason[:255],
        next_attempt_at=now + retry_delay(row.attempts),
    )
    log.warning(
        "outbox message %s (%s) failed, attempt %s: %s",
        row.pk,
        row.message_type,
        row.attempts,
        reason,
    )


def _language(row: OutboxMessage, preferred: dict[int, str] | None = None) -> str:
    if row.language:
        return row.language
    if preferred is None:
        preferred = host_languages({row.user_id})
    return preferred.get(row.user_id) or settings.LANGUAGE_CODE


def _address(user) -> str:
    email = (user.email or "").strip()
    placeholder = setting("ELEARN_PLACEHOLDER_EMAIL_DOMAIN")
    if not email or (placeholder and email.lower().endswith("@" + placeholder.lower())):
        raise PermanentDeliveryError("the recipient has no deliverable address")
    return email


def _context(row: OutboxMessage) -> dict:
    user = row.user
    return {
        **(row.context or {}),
        "platform_name": _setting("PLATFORM_NAME", "") or "Online Academy",
        "recipient_name": user.get_full_name() or user.get_username(),
    }


def deliver(row: OutboxMessage, language: str | None = None) -> None:
    """Render and send one row now (in `language`, else the row's or the recipient's);
    raises on failure (the caller records it)."""
    try:
        message_type = get_message_type(row.message_type)
    except UnknownMessageType:
        raise PermanentDeliveryError(f"unknown message type {row.message_type}")
    address = _address(row.user)
    language = language or _language(row)
    if backend() == "ace":
        _send_with_ace(row, message_type, address, language)
    else:
        _send_with_django(row, address, language)


def render_email(name: str, context: dict, language: str) -> dict[str, str]:
    """The five parts of an email of type `name`, rendered in `language`."""
    rendered = {}
    with translation.override(language):
        for file, path in zip(TEMPLATE_FILES, template_paths(name), strict=True):
            try:
                rendered[file] = render_to_string(path, context)
            except TemplateDoesNotExist:
                raise PermanentDeliveryError(f"template {file} of {name} is missing")
    return rendered


def _send_with_django(row: OutboxMessage, address: str, language: str) -> None:
    parts = render_email(row.message_type, _context(row), language)
    subject = " ".join(parts["subject.txt"].split())
    sender = _from_address()
    from_name = " ".join(parts["from_name.txt"].split())
    if from_name and sender and "<" not in sender:
        sender = formataddr((from_name, sender))
    mail = EmailMultiAlternatives(
        subject=subject,
        body=parts["body.txt"],
        from_email=sender or None,
        to=[address],
        headers={"Message-ID": message_id(row.key)},
    )
    html = _HTML_DOCUMENT.format(head=parts["head.html"], body=parts["body.html"])
    mail.attach_alternative(html, "text/html")
    mail.send()


def _send_with_ace(row: OutboxMessage, message_type, address: str, language: str) -> None:
    """Send through edx-ace (host/ace.py); no confirming signal is a failed delivery."""
    if not send_with_ace(
        message_type, _context(row), row.user_id, address, language, message_id(row.key)
    ):
        raise DeliveryError("edx-ace did not confirm delivery (template or channel problem)")


def backlog(now: datetime | None = None) -> dict:
    """Unsent rows, the age of the oldest, and rows given up (for the health report)."""
    now = now or timezone.now()
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True)
    stuck = unsent.filter(attempts__gte=max_attempts()).count()
    pending = unsent.filter(attempts__lt=max_attempts())
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "backlog": pending.count(),
        "oldest_unsent_age_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "given_up": stuck,
    }
