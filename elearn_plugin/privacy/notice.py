"""The privacy notice a learner sees once per version (P-32), and the one writer of its
acknowledgement.

The version names the notice and the retention periods it states (`privacy.notice_revision`
and `privacy.retention_days` of the policy file), so changing a period or raising the version
asks every learner again. Whether a learner acknowledged the current version is one cache
read (the answer is cached both ways, and the acknowledgement writes it), so the check costs
the plugin's learner pages no query of their own. It runs only where the plugin asks it: its
own learner pages (`notice_first`) and the tracked video's line under the player — never on
the host's pages or APIs, which stay untouched.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from elearn_plugin import audit

CACHE_SECONDS = 24 * 3600
_REQUEST_ATTRIBUTE = "_elearn_privacy_pending"


def current_version(policy=None) -> str:
    """`<notice_revision>-<ip days>-<timing days>`: a new text or period is a new version."""
    if policy is None:
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

        policy = get_policy()
    rule = policy.privacy
    return f"{rule.notice_revision}-{rule.ip_address_days}-{rule.watch_timing_days}"


def _key(user_id: int, version: str) -> str:
    return f"elearn:privacy:ack:{user_id}:{version}"


def acknowledged_at(user_id: int, version: str | None = None) -> datetime | None:
    """When the learner acknowledged `version` (default: the current one), or None."""
    from elearn_plugin.privacy.models import NoticeAcknowledgement  # noqa: PLC0415

    version = version or current_version()
    return (
        NoticeAcknowledgement.objects.filter(user_id=user_id, version=version)
        .values_list("acknowledged_at", flat=True)
        .first()
    )


def pending(user, request: HttpRequest | None = None) -> bool:
    """Whether `user` still has to read the current notice (False for the signed-out)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    memo = getattr(request, _REQUEST_ATTRIBUTE, None) if request is not None else None
    if memo is not None:
        return memo
    from elearn_plugin.policy.runtime import PolicyNotConfigured  # noqa: PLC0415

    try:
        version = current_version()
    except PolicyNotConfigured:
        return False
    key = _key(user.pk, version)
    cached = cache.get(key)
    if cached is None:
        cached = 1 if acknowledged_at(user.pk, version) else 0
        cache.set(key, cached, CACHE_SECONDS)
    answer = not cached
    if request is not None:
        setattr(request, _REQUEST_ATTRIBUTE, answer)
    return answer


def acknowledge(user_id: int, *, actor, version: str | None = None, now=None) -> bool:
    """Record that the learner read `version` (default: the current one); True when new.

    Audited once per learner and version; a second click changes nothing.
    """
    from elearn_plugin.privacy.models import NoticeAcknowledgement  # noqa: PLC0415

    who, version = audit.resolve(actor), version or current_version()
    now = now or timezone.now()
    created = False
    try:
        with transaction.atomic():
            _row, created = NoticeAcknowledgement.objects.get_or_create(
                user_id=user_id, version=version, defaults={"acknowledged_at": now}
            )
            if created:
                audit.record(
                    who,
                    "privacy.notice_acknowledged",
                    audit.user_target(user_id),
                    {"version_code": version},
                )
    except IntegrityError:  # the same click twice at once: the other one recorded it
        created = False
    cache.set(_key(user_id, version), 1, CACHE_SECONDS)
    return created


def notice_url(next_path: str = "") -> str:
    url = reverse("elearn:privacy-notice")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def notice_first(view):
    """A learner page decorator: until the current notice is acknowledged, a GET goes to the
    notice first (which leads back). Put it after the permission decorator."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "GET" and pending(request.user, request):
            return HttpResponseRedirect(notice_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


def player_notice_url(request) -> str:
    """The notice's address for the line under the tracked video while it is not yet
    acknowledged (the player is a fragment inside the host's page: it cannot redirect)."""
    user = getattr(request, "user", None)
    return notice_url() if pending(user, request) else ""
