"""Tick jobs of the audit domain: seal what committed, verify it, record policy changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from elearn_plugin import audit
from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditChain, AuditEvent
from elearn_plugin.tick.registry import register_job

FULL_VERIFY_EVERY = timedelta(days=1)


@register_job("audit.seal")
def seal_job(now: datetime) -> dict:
    """Chain every committed event; without a key, report it (the health report says so too)."""
    try:
        return {"sealed": chain.seal()}
    except chain.AuditKeyMissing:
        return {"sealed": 0, "key_configured": False}


@register_job("audit.verify")
def verify_job(now: datetime) -> dict:
    """Verify new rows on every tick, and the whole chain once a day (an old row edited)."""
    last_full = AuditChain.objects.filter(name="main").values_list("full_verified_at", flat=True)
    last = next(iter(last_full), None)
    full = last is None or now - last >= FULL_VERIFY_EVERY
    try:
        result = chain.verify(full=full)
    except chain.AuditKeyMissing:
        return {"checked": 0, "key_configured": False}
    return {"checked": result.checked, "full": full, "ok": result.ok, "head_seq": result.head_seq}


@register_job("audit.policy")
def policy_job(now: datetime) -> dict:
    """Record the policy in force whenever its file's content changes (P-33: rule changes).

    The policy is a file the operator edits, not a row a writer saves, so the tick notices
    a new digest and records `policy.activated` with the digests before and after.
    """
    from elearn_plugin.policy.runtime import file_digest, get_policy  # noqa: PLC0415

    try:
        get_policy()  # only a valid policy is in force; an invalid one is the check's error
        digest = file_digest()
    except Exception as exc:  # noqa: BLE001 - reported in the summary; the check names it
        return {"recorded": False, "error": type(exc).__name__}
    last = (
        AuditEvent.objects.filter(verb="policy.activated")
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    previous = (last or {}).get("digest_key")
    if previous == digest:
        return {"recorded": False}
    with transaction.atomic():
        audit.record(
            None,
            "policy.activated",
            f"elearn_plugin.policy:{digest[:32]}",
            {"digest_key": digest, "previous_key": previous},
        )
    return {"recorded": True}
