"""The only writers of reinstatement: the emailed link, the application, HR's decision.

A revoked or frozen learner cannot sign in (P-8), so the application starts from an address:
`request_link` emails a one-time link to the account's address when, and only when, the
account is revoked or frozen, and answers nothing either way (the page says the same to
everyone, so no one learns whether an account exists). The link proves the mailbox; `apply`
turns it into one waiting application. HR approves (`standing.reinstate` lifts the
revocations and freezes) or rejects with a reason; the learner is told by mail in their
language. Every step is audited in its transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.conf import setting
from elearn_plugin.gate import format_end
from elearn_plugin.outbox.services import enqueue
from elearn_plugin.reinstatement.models import (
    ApplicationStatus,
    ReinstatementApplication,
    ReinstatementLink,
)
from elearn_plugin.standing import services as standing
from elearn_plugin.standing.models import Sanction

PRINCIPAL = "system:reinstatement"
MAX_STATEMENT = 2000
MAX_REASON = 1000
MAX_IDENTIFIER = 254


class ReinstatementError(ValueError):
    """The step cannot be taken; the message says why and nothing changed."""


@dataclass(frozen=True)
class LinkState:
    """An opened link: whose it is and whether it can still be used."""

    link: ReinstatementLink
    blocked_kind: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _closing_kind(user_id: int, now: datetime) -> str | None:
    """`revocation` or `freeze` while one is in force (revocation first), else None."""
    kinds = set(
        Sanction.objects.filter(
            user_id=user_id,
            kind__in=standing.UNTIL_LIFTED,
            lifted_at__isnull=True,
            starts_at__lte=now,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .values_list("kind", flat=True)
    )
    for kind in ("revocation", "freeze"):
        if kind in kinds:
            return kind
    return None


def _account(identifier: str):
    """The account an address or username names, or None (never an error: no enumeration)."""
    if not isinstance(identifier, str):
        return None
    identifier = identifier.strip()
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        return None
    users = get_user_model().objects
    field = "email__iexact" if "@" in identifier else "username"
    matches = list(users.filter(**{field: identifier})[:2])
    return matches[0] if len(matches) == 1 else None


def request_link(identifier: str, *, link_url, now: datetime | None = None) -> bool:
    """Email a one-time link to the revoked or frozen account `identifier` names.

    `link_url(token)` builds the absolute address of the application page. Returns whether a
    link was written, for tests and the audit trail only: the page must answer the same
    either way. Nothing is sent for an open or unknown account, for one with an application
    waiting, or beyond `ELEARN_REINSTATEMENT_LINKS_PER_DAY` links a day.
    """
    now = now or timezone.now()
    user = _account(identifier)
    if user is None:
        return False
    with transaction.atomic():
        # The account row, locked: two requests at once count each other's links.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        kind = _closing_kind(user.pk, now)
        if kind is None or ReinstatementApplication.objects.filter(pending_user=user.pk).exists():
            return False
        sent_today = ReinstatementLink.objects.filter(
            user_id=user.pk, created_at__gt=now - timedelta(days=1)
        ).count()
        if sent_today >= int(setting("ELEARN_REINSTATEMENT_LINKS_PER_DAY")):
            return False
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=int(setting("ELEARN_REINSTATEMENT_LINK_HOURS")))
        link = ReinstatementLink.objects.create(
            user_id=user.pk, token_hash=_hash(token), created_at=now, expires_at=expires
        )
        enqueue(
            f"reinstatement-link:{link.pk}",
            "reinstatement_link",
            user.pk,
            {"link": link_url(token), "expires_at": format_end(expires), "kind": kind},
        )
        audit.record(audit.Actor(system=PRINCIPAL), "reinstatement.link_sent", link, {})
    return True


def open_link(token: str, *, now: datetime | None = None, lock: bool = False) -> LinkState:
    """The link `token` names, if it can still be used; `ReinstatementError` otherwise."""
    now = now or timezone.now()
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise ReinstatementError(_("This link is not valid. Ask for a new one."))
    links = ReinstatementLink.objects.select_for_update() if lock else ReinstatementLink.objects
    link = links.filter(token_hash=_hash(token)).first()
    if link is None:
        raise ReinstatementError(_("This link is not valid. Ask for a new one."))
    if link.used_at is not None:
        raise ReinstatementError(
            _("This link has been used already. Your application is with the HR centre.")
        )
    if link.expires_at <= now:
        raise ReinstatementError(_("This link has expired. Ask for a new one."))
    kind = _closing_kind(link.user_id, now)
    if kind is None:
        raise ReinstatementError(_("Your account is open: you can sign in."))
    return LinkState(link=link, blocked_kind=kind)


def apply(token: str, statement: str, *, now: datetime | None = None) -> ReinstatementApplication:
    """Turn a valid link into the learner's waiting application; the link is spent."""
    now = now or timezone.now()
    text = statement.strip() if isinstance(statement, str) else ""
    if not text:
        raise ReinstatementError(_("Write why your account should be reopened."))
    if len(text) > MAX_STATEMENT:
        raise ReinstatementError(
            _("Keep the statement under %(count)s characters.") % {"count": MAX_STATEMENT}
        )
    with transaction.atomic():
        state = open_link(token, now=now, lock=True)
        user_id = state.link.user_id
        try:
            with transaction.atomic():
                application = ReinstatementApplication.objects.create(
                    user_id=user_id,
                    pending_user=user_id,
                    blocked_kind=state.blocked_kind,
                    statement=text,
                    created_at=now,
                )
        except IntegrityError:
            raise ReinstatementError(
                _("Your application is already with the HR centre. You will be told by mail.")
            )
        state.link.used_at = now
        state.link.save(update_fields=["used_at"])
        audit.record(
            user_id, "reinstatement.applied", application, {"application_id": application.pk}
        )
    return application


def _waiting(application_id: int) -> ReinstatementApplication:
    application = (
        ReinstatementApplication.objects.select_for_update().filter(pk=application_id).first()
    )
    if application is None:
        raise ReinstatementError(_("No such application."))
    if application.status != ApplicationStatus.PENDING:
        raise ReinstatementError(_("This application has been decided already."))
    return application


def _reason(reason: str) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ReinstatementError(_("A reason is required."))
    if len(text) > MAX_REASON:
        raise ReinstatementError(
            _("Keep the reason under %(count)s characters.") % {"count": MAX_REASON}
        )
    return text


def _decide(application, who, status: str, reason: str, now: datetime) -> None:
    application.status = status
    application.pending_user = None
    application.decided_by_id, application.decided_at = who.user_id, now
    application.decision_reason = reason
    application.save(
        update_fields=["status", "pending_user", "decided_by", "decided_at", "decision_reason"]
    )


def approve(
    application_id: int, *, actor, reason: str, now: datetime | None = None
) -> ReinstatementApplication:
    """HR approves: the revocations and freezes are lifted and the learner is told."""
    text, who, now = _reason(reason), audit.resolve(actor), now or timezone.now()
    with transaction.atomic():
        application = _waiting(application_id)
        count = standing.reinstate(application.user_id, actor=who, reason=text)
        _decide(application, who, ApplicationStatus.APPROVED, text, now)
        audit.record(
            who,
            "reinstatement.approved",
            application,
            {"application_id": application.pk, "count": count},
        )
        enqueue(
            f"reinstatement-decided:{application.pk}",
            "reinstatement_approved",
            application.user_id,
            {"applied_on": application.created_at.date().isoformat()},
        )
    return application


def reject(
    application_id: int, *, actor, reason: str, now: datetime | None = None
) -> ReinstatementApplication:
    """HR rejects with a reason the learner reads; the account stays closed."""
    text, who, now = _reason(reason), audit.resolve(actor), now or timezone.now()
    with transaction.atomic():
        application = _waiting(application_id)
        _decide(application, who, ApplicationStatus.REJECTED, text, now)
        audit.record(who, "reinstatement.rejected", application, {"application_id": application.pk})
        enqueue(
            f"reinstatement-decided:{application.pk}",
            "reinstatement_rejected",
            application.user_id,
            {"applied_on": application.created_at.date().isoformat(), "reason": text},
        )
    return application
