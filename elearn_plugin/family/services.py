"""The only writers of family links: issue, revoke, and the view that counts itself (P-35).

A link is a random token handed to a family member; the database keeps its SHA-256 alone
(as reinstatement does), so the link is the credential and HR cannot read one back. A link
is scoped to one learner by its row, expires (at most `ELEARN_FAMILY_LINK_DAYS`), is revoked
by the learner or HR, and stops working when the learner is frozen (departed, P-7) or the
account is closed by the host. Every view is counted and audited in its transaction; nothing
about the viewer (address, device) is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.conf import setting
from elearn_plugin.family.models import FamilyLink
from elearn_plugin.standing.blocks import active_block

MAX_DAYS = 365  # whatever the setting says, a link never outlives a school year
TOKEN_BYTES = 32
LISTED = 50
PRINCIPAL = "system:family_view"


class FamilyError(ValueError):
    """The step cannot be taken; the message says why and nothing changed."""


@dataclass(frozen=True)
class Issued:
    """A new link: the row, and the token (shown once, never stored)."""

    link: FamilyLink
    token: str


def enabled() -> bool:
    """Whether the family view is on (school deployments only)."""
    return bool(setting("ELEARN_FAMILY_VIEW_ENABLED"))


def max_days() -> int:
    """The longest lifetime an issuer may choose: the setting, within 1..MAX_DAYS."""
    try:
        days = int(setting("ELEARN_FAMILY_LINK_DAYS"))
    except (TypeError, ValueError):
        days = 30
    return max(1, min(days, MAX_DAYS))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _learner(user_id: int):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise FamilyError(_("No such learner."))
    return user


def _frozen(user_id: int, now: datetime) -> bool:
    block = active_block(user_id, now)
    return block is not None and block.kind == "freeze"


def issue(user_id: int, *, actor, days: int | None = None, now: datetime | None = None) -> Issued:
    """A new link to `user_id`'s report for `days` (default and maximum: `max_days()`)."""
    if not enabled():
        raise FamilyError(_("The family view is not enabled on this site."))
    longest = max_days()
    days = longest if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise FamilyError(_("Choose a lifetime from 1 to %(days)s days.") % {"days": longest})
    who, now = audit.resolve(actor), now or timezone.now()
    learner = _learner(user_id)
    if _frozen(learner.pk, now):
        raise FamilyError(_("The account is frozen: its family links do not work."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = FamilyLink.objects.create(
            user_id=learner.pk,
            token_hash=token_hash(token),
            issued_by_id=who.user_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        audit.record(
            who, "family.link_issued", link, {"link_id": link.pk, "expires_at": link.expires_at}
        )
    return Issued(link=link, token=token)


def revoke(link_id: int, *, actor, user_id: int | None = None, now: datetime | None = None) -> bool:
    """Revoke one link (of `user_id` when given: a learner revokes only their own); True when
    it was working. A link revoked or expired before changes nothing and records nothing."""
    who, now = audit.resolve(actor), now or timezone.now()
    rows = FamilyLink.objects.filter(pk=link_id, revoked_at__isnull=True)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    with transaction.atomic():
        changed = rows.update(revoked_at=now, revoked_by_id=who.user_id)
        if changed:
            target = audit.target_of(FamilyLink, link_id)
            audit.record(who, "family.link_revoked", target, {"link_id": link_id})
    return bool(changed)


def open_for_view(token: object, *, now: datetime | None = None) -> FamilyLink | None:
    """The link `token` names if it works now, counted as one view and audited; None for
    an unknown, expired or revoked link and a frozen or closed account (one answer for all)."""
    if not enabled() or not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = now or timezone.now()
    link = FamilyLink.objects.filter(token_hash=token_hash(token)).first()
    if link is None or not link.works_at(now):
        return None
    if not get_user_model().objects.filter(pk=link.user_id, is_active=True).exists():
        return None
    if _frozen(link.user_id, now):
        return None
    with transaction.atomic():
        counted = FamilyLink.objects.filter(
            pk=link.pk, revoked_at__isnull=True, expires_at__gt=now
        ).update(view_count=F("view_count") + 1, last_viewed_at=now)
        if not counted:  # revoked between the read and the count
            return None
        link.refresh_from_db(fields=["view_count", "last_viewed_at"])
        audit.record(
            audit.Actor(system=PRINCIPAL),
            "family.link_viewed",
            link,
            {"link_id": link.pk, "view_count": link.view_count},
        )
    return link


def links_of(user_id: int, now: datetime | None = None) -> list[dict]:
    """The learner's links, newest first, with whether each still works."""
    now = now or timezone.now()
    rows = FamilyLink.objects.filter(user_id=user_id).order_by("-created_at", "-pk")[:LISTED]
    return [
        {
            "id": link.pk,
            "created_at": link.created_at,
            "expires_at": link.expires_at,
            "revoked_at": link.revoked_at,
            "last_viewed_at": link.last_viewed_at,
            "view_count": link.view_count,
            "works": link.works_at(now),
        }
        for link in rows
    ]


def revoke_all_of(user_id: int, now: datetime | None = None) -> int:
    """Revoke every working link of one learner (retirement); returns how many. No audit
    event of its own: the caller's (`person.retired`) covers it."""
    now = now or timezone.now()
    return FamilyLink.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=now
    )
