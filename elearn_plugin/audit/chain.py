"""Tamper evidence: the sealer chains committed events with an HMAC, the verifier re-walks it.

Events are written unsealed in their change's transaction. `seal()` (a tick job) gives each
committed, unsealed event the next chain position `seq` in id order and an HMAC over a canonical
text of its stored fields and the previous event's HMAC. Positions are dense, so a deleted row
leaves a gap; an edited or swapped row no longer matches its HMAC; only deleting the newest rows
needs the head kept outside the database (`elearn_verify_audit` prints it). The key lives in
settings, never in the database; each row names its key's id, so a rotated key still verifies
old rows while it stays in `ELEARN_AUDIT_RETIRED_KEYS`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from elearn_plugin.audit.models import AuditChain, AuditEvent
from elearn_plugin.conf import setting
from elearn_plugin.core.upsert import conflict_target

SEAL_CHUNK = 1000
VERIFY_CHUNK = 2000
FORMAT = "elearn-audit-v1"


class AuditKeyMissing(RuntimeError):
    """No `ELEARN_AUDIT_KEY` is configured: events cannot be sealed or verified."""


def key_id_of(key: str) -> str:
    """A short public name of a key, so rows say which key sealed them."""
    return hashlib.sha256(f"elearn-audit-key-id:{key}".encode()).hexdigest()[:12]


def _keys() -> tuple[str, dict[str, bytes]]:
    current = setting("ELEARN_AUDIT_KEY") or ""
    retired = setting("ELEARN_AUDIT_RETIRED_KEYS") or []
    keys = {key_id_of(k): k.encode() for k in [*retired, current] if isinstance(k, str) and k}
    return (key_id_of(current) if current else ""), keys


def canonical_text(event: AuditEvent, seq: int, key_id: str, previous_mac: str) -> str:
    """The sealed text: every stored field in a fixed order, JSON with sorted keys.

    A JSON column's own serialisation differs between MySQL, MariaDB and PostgreSQL (key
    order, spacing), so the text is rebuilt from the parsed value.
    """
    occurred = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data = json.dumps(event.data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    fields = [
        FORMAT,
        str(seq),
        str(event.pk),
        occurred,
        "" if event.actor_user_id is None else str(event.actor_user_id),
        event.actor_system,
        event.verb,
        event.target,
        data,
        key_id,
        previous_mac,
    ]
    return "\n".join(fields)


def mac_of(key: bytes, event: AuditEvent, seq: int, key_id: str, previous_mac: str) -> str:
    text = canonical_text(event, seq, key_id, previous_mac).encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def _ensure_chain() -> None:
    """Create the chain row once, in a statement of its own.

    Inside the sealing transaction, `get_or_create` by two first sealers at once deadlocks on
    MySQL (each SELECT takes a gap lock the other's INSERT waits for): the row is created
    before any lock is held, and a concurrent creator's duplicate is simply the row.
    """
    if AuditChain.objects.filter(name="main").exists():
        return
    try:
        with transaction.atomic():
            AuditChain.objects.create(name="main")
    except IntegrityError:
        pass  # created by another sealer meanwhile


def _chain_for_update() -> AuditChain:
    return AuditChain.objects.select_for_update().get(name="main")


def seal(limit: int = 50_000) -> int:
    """Seal committed events in id order, up to `limit`; returns how many were sealed.

    One transaction per chunk holding the chain row's lock, so two sealers never hand out
    the same position and a killed sealer leaves a consistent chain behind.
    """
    key_id, keys = _keys()
    if not key_id:
        raise AuditKeyMissing("ELEARN_AUDIT_KEY is not set: audit events stay unsealed")
    key = keys[key_id]
    _ensure_chain()
    sealed = 0
    while sealed < limit:
        with transaction.atomic():
            chain = _chain_for_update()
            batch = list(
                AuditEvent.objects.filter(seq__isnull=True).order_by("id")[
                    : min(SEAL_CHUNK, limit - sealed)
                ]
            )
            if not batch:
                break
            seq, previous = chain.sealed_seq, chain.sealed_mac
            for event in batch:
                seq += 1
                event.seq, event.key_id = seq, key_id
                event.mac = previous = mac_of(key, event, seq, key_id, previous)
            # One upsert by primary key per chunk: `bulk_update`'s CASE per row is ~10x slower.
            AuditEvent.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=conflict_target(AuditEvent, ["id"]),
                update_fields=["seq", "key_id", "mac"],
            )
            chain.sealed_seq, chain.sealed_mac = seq, previous
            chain.save(update_fields=["sealed_seq", "sealed_mac"])
            sealed += len(batch)
    return sealed


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_mac: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def _walk(start_seq: int, start_mac: str, keys: dict[str, bytes]) -> Verification:
    expected, previous, checked = start_seq + 1, start_mac, 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gte=expected).order_by("seq")[:VERIFY_CHUNK])
        if not rows:
            return Verification(checked, expected - 1, previous)
        for event in rows:
            if event.seq != expected:
                return Verification(
                    checked,
                    expected - 1,
                    previous,
                    f"chain positions {expected}..{event.seq - 1} are missing: rows were "
                    f"deleted before position {event.seq} (event id {event.pk})",
                )
            key = keys.get(event.key_id)
            if key is None:
                return Verification(
                    checked,
                    expected - 1,
                    previous,
                    f"position {event.seq} (event id {event.pk}) names key id "
                    f"{event.key_id!r}, which is not configured",
                )
            if not hmac.compare_digest(
                event.mac, mac_of(key, event, event.seq, event.key_id, previous)
            ):
                return Verification(
                    checked,
                    expected - 1,
                    previous,
                    f"position {event.seq} (event id {event.pk}) does not match its seal: "
                    "its content or its place in the chain was changed by hand",
                )
            previous, expected, checked = event.mac, expected + 1, checked + 1


def verify(*, full: bool = False, expect_head: tuple[int, str] | None = None) -> Verification:
    """Verify the chain from the last verified row (or from the start), and record the result.

    `expect_head` is a (position, HMAC) pair kept outside the database: the chain must still
    hold that row with that seal, which is how a deletion of the newest rows is found.
    """
    _, keys = _keys()
    if not keys:
        raise AuditKeyMissing("ELEARN_AUDIT_KEY is not set: the chain cannot be verified")
    chain, _ = AuditChain.objects.get_or_create(name="main")
    start = (0, "") if full or chain.problem else (chain.verified_seq, chain.verified_mac)
    if start[0] and not AuditEvent.objects.filter(seq=start[0], mac=start[1]).exists():
        result = Verification(
            0,
            start[0],
            start[1],
            f"position {start[0]}, verified before, is gone or was changed by hand",
        )
    else:
        result = _walk(*start, keys)
    if result.ok and expect_head is not None:
        seq, mac = expect_head
        if not AuditEvent.objects.filter(seq=seq, mac=mac).exists():
            result = Verification(
                result.checked,
                result.head_seq,
                result.head_mac,
                f"the kept head (position {seq}) is not in the chain: rows up to it were "
                "deleted or changed by hand",
            )
    _remember(result, full or bool(chain.problem))
    return result


def _remember(result: Verification, full: bool) -> None:
    now = timezone.now()
    changes: dict = {"verified_at": now, "problem": result.problem[:255]}
    if result.ok:
        changes.update(verified_seq=result.head_seq, verified_mac=result.head_mac)
        if full:
            changes["full_verified_at"] = now
    AuditChain.objects.filter(name="main").update(**changes)


def head() -> tuple[int, str]:
    """The newest sealed position and its HMAC, for the operator to keep elsewhere."""
    chain = AuditChain.objects.filter(name="main").first()
    return (chain.sealed_seq, chain.sealed_mac) if chain else (0, "")


def status(now: datetime | None = None) -> dict:
    """For the health report: how far the chain is sealed and verified, and any problem."""
    chain = AuditChain.objects.filter(name="main").first()
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    key_id, _ = _keys()
    return {
        "key_configured": bool(key_id),
        "sealed_seq": chain.sealed_seq if chain else 0,
        "unsealed": unsealed,
        "verified_seq": chain.verified_seq if chain else 0,
        "verified_at": chain.verified_at.isoformat() if chain and chain.verified_at else None,
        "full_verified_at": (
            chain.full_verified_at.isoformat() if chain and chain.full_verified_at else None
        ),
        "problem": chain.problem if chain else "",
    }
