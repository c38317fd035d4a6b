"""The only writer of sanctions, and the cached reader every enforcement point uses (P-8).

Each change invalidates the learner's cached block, so a sanction takes effect on the next
request and a lift on the next sign-in attempt. Imposing a block (suspension, revocation,
freeze) also revokes the learners' OAuth2 tokens once the transaction has committed, in one
delete per chunk (`host.tokens`); their browser sessions end on their next request
(`BlockedSessionMiddleware`). ADR 0007.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.standing.blocks import (  # noqa: F401 - the readers of ADR 0001
    BLOCKING_KINDS,
    CACHE_SECONDS,
    SEVERITY,
    Block,
    active_block,
    blocked_user_ids,
    invalidate,
)
from elearn_plugin.standing.bulk_insert import insert_new
from elearn_plugin.standing.models import Sanction, SanctionKind

log = logging.getLogger(__name__)

KINDS = frozenset(SanctionKind.values)
# Kinds that last until lifted; `reinstate` (HR approving an application) lifts these.
UNTIL_LIFTED = (SanctionKind.REVOCATION, SanctionKind.FREEZE)

CHUNK = 500
MAX_EVIDENCE = 16_000
_REASON_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class SanctionError(ValueError):
    """Bad input for a standing change; nothing was changed."""


class SanctionAlreadyLifted(SanctionError):
    """The sanction was lifted before; lifting it again would rewrite its history."""


@dataclass(frozen=True)
class SanctionSpec:
    """One sanction for `impose_bulk`; the natural key is (user_id, kind, source)."""

    user_id: int
    kind: str
    reason_code: str
    source: str
    reason: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    evidence: dict | None = None


def revoke_tokens_after_commit(user_ids: Iterable[int]) -> None:
    """Revoke these learners' OAuth2 tokens when the current transaction commits.

    A failure is logged (its type only: database errors may quote values) and leaves the
    sanction in place; the tick's `standing.revoke_tokens` job revokes again for blocks that
    began since its last run.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return

    def revoke() -> None:
        from elearn_plugin.host import tokens  # noqa: PLC0415

        try:
            tokens.get_token_adapter().revoke_for_users(ids)
        except Exception as exc:  # noqa: BLE001 - the sanction stands; the tick retries
            log.error(
                "revoking oauth2 tokens of %s learners failed (%s); the tick retries",
                len(ids),
                type(exc).__name__,
            )

    transaction.on_commit(revoke)


def _blocks_now_or_later(kind: str, ends_at: datetime | None, now: datetime) -> bool:
    """A block that has not ended yet (a future one too: tokens issued before it must go)."""
    return kind in BLOCKING_KINDS and (ends_at is None or ends_at > now)


def validate_spec(spec: SanctionSpec, now: datetime) -> SanctionSpec:
    """The spec with defaults filled in, or SanctionError naming what is wrong."""
    checked, text = _checked(spec, now)
    return replace(checked, evidence=json.loads(text))


def _checked(spec: SanctionSpec, now: datetime) -> tuple[SanctionSpec, str]:
    """`validate_spec`, its evidence left as given, and the evidence's stored JSON text."""
    if spec.kind not in KINDS:
        raise SanctionError(_("Unknown sanction kind: %(kind)s.") % {"kind": spec.kind})
    if not isinstance(spec.reason_code, str) or not _REASON_CODE.match(spec.reason_code):
        raise SanctionError(
            _("The reason code must be a short slug such as 'sharing' (got %(code)r).")
            % {"code": spec.reason_code}
        )
    if not isinstance(spec.source, str) or not spec.source.strip() or len(spec.source) > 200:
        raise SanctionError(_("The source must be a non-empty text of at most 200 characters."))
    if not isinstance(spec.user_id, int) or isinstance(spec.user_id, bool):
        raise SanctionError(_("The learner must be given by user id."))
    starts_at = spec.starts_at or now
    for value in (starts_at, spec.ends_at):
        if value is not None and not is_aware(value):
            raise SanctionError(_("Times must carry a time zone."))
    if spec.kind == SanctionKind.SUSPENSION:
        if spec.ends_at is None or spec.ends_at <= starts_at:
            raise SanctionError(_("A suspension needs an end after its start."))
    elif spec.kind in UNTIL_LIFTED and spec.ends_at is not None:
        raise SanctionError(_("Revocations and freezes last until lifted; give no end."))
    elif spec.ends_at is not None and spec.ends_at <= starts_at:
        raise SanctionError(_("The end must come after the start."))
    text = evidence_json(spec.evidence)
    return (
        SanctionSpec(
            user_id=spec.user_id,
            kind=spec.kind,
            reason_code=spec.reason_code,
            source=spec.source.strip(),
            reason=spec.reason or "",
            starts_at=starts_at,
            ends_at=spec.ends_at,
            evidence=spec.evidence,
        ),
        text,
    )


def _clean_evidence(evidence: object) -> dict:
    """The evidence as stored: a JSON object of at most `MAX_EVIDENCE` characters."""
    return json.loads(evidence_json(evidence))


def evidence_json(evidence: object) -> str:
    """The evidence as the JSON text stored (keys sorted), or SanctionError naming what is
    wrong; `impose_bulk` writes this text as it is instead of decoding and encoding it again."""
    if evidence is None:
        return "{}"
    if not isinstance(evidence, dict):
        raise SanctionError(_("The evidence must be a mapping of facts."))
    try:
        text = json.dumps(evidence, cls=DjangoJSONEncoder, sort_keys=True)
    except (TypeError, ValueError):
        raise SanctionError(_("The evidence must hold plain values only.")) from None
    if len(text) > MAX_EVIDENCE:
        raise SanctionError(_("The evidence is too long."))
    return text


def _audit_imposed(actor, rows: Iterable[tuple[int, str, str, str, datetime | None]]) -> None:
    """One `sanction.imposed` event per new row `(pk, kind, reason_code, source, ends_at)`."""
    audit.record_bulk(
        actor,
        "sanction.imposed",
        [
            (
                audit.target_of(Sanction, pk),
                {
                    "kind_code": kind,
                    "reason_code": reason_code,
                    "source_key": source,
                    "ends_at": ends_at,
                },
            )
            for pk, kind, reason_code, source, ends_at in rows
        ],
    )


def _audit_lifted(actor, rows: Iterable[tuple[int, str, str]]) -> None:
    audit.record_bulk(
        actor,
        "sanction.lifted",
        [
            (audit.target_of(Sanction, pk), {"kind_code": kind, "reason_code": code})
            for pk, kind, code in rows
        ],
    )


def impose(
    user_id: int,
    kind: str,
    reason_code: str,
    source: str,
    *,
    reason: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    evidence: dict | None = None,
    actor=None,
) -> tuple[Sanction, bool]:
    """Impose one sanction; imposing the same (user, kind, source) again changes nothing."""
    spec = validate_spec(
        SanctionSpec(
            user_id=user_id,
            kind=kind,
            reason_code=reason_code,
            source=source,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            evidence=evidence,
        ),
        timezone.now(),
    )
    who = audit.resolve(actor)
    if missing_user_ids({spec.user_id}):
        raise SanctionError(_("No learner with id %(id)s.") % {"id": spec.user_id})
    with transaction.atomic():
        sanction, created = Sanction.objects.get_or_create(
            user_id=spec.user_id,
            kind=spec.kind,
            source=spec.source,
            defaults={
                "reason_code": spec.reason_code,
                "reason": spec.reason,
                "starts_at": spec.starts_at,
                "ends_at": spec.ends_at,
                "evidence": spec.evidence,
                "created_by_id": who.user_id,
            },
        )
        if created:
            _audit_imposed(
                who,
                [
                    (
                        sanction.pk,
                        sanction.kind,
                        sanction.reason_code,
                        sanction.source,
                        sanction.ends_at,
                    )
                ],
            )
            invalidate([spec.user_id])
            if _blocks_now_or_later(spec.kind, spec.ends_at, timezone.now()):
                revoke_tokens_after_commit([spec.user_id])
            log.info("sanction %s (%s) imposed on user %s", sanction.pk, kind, spec.user_id)
    return sanction, created


def impose_bulk(specs: Sequence[SanctionSpec], *, actor=None) -> int:
    """Impose many sanctions in chunks; returns how many rows were new (all or nothing).

    `actor` None is the job running now (ADR 0009); each new row gets its audit event.
    """
    who = audit.resolve(actor)
    now = timezone.now()
    checked = [_checked(spec, now) for spec in specs]
    if not checked:
        return 0
    clean = [spec for spec, _text in checked]
    texts = {(s.user_id, s.kind, s.source): text for s, text in checked}
    missing = missing_user_ids({spec.user_id for spec in clean})
    if missing:
        raise SanctionError(
            _("No learner with id %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}
        )
    # One row per natural key even if the input repeats it.
    unique = list({(s.user_id, s.kind, s.source): s for s in clean}.values())
    created = 0
    with transaction.atomic():
        for chunk in chunked(unique, CHUNK):
            # The database's own count: a row a concurrent writer inserted is not ours (P-33).
            ours = insert_new(chunk, now, who.user_id, texts)
            _audit_imposed(who, ours)
            created += len(ours)
        # The cached block (`blocks.active_block`) is made of blocking sanctions only: a
        # warning leaves it as it is, and a close's 70,000 warnings need no cache write.
        invalidate(s.user_id for s in unique if s.kind in BLOCKING_KINDS)
        # Every learner of a block in the input: one already blocked has no tokens left, so
        # a repeated run deletes nothing.
        revoke_tokens_after_commit(
            s.user_id for s in unique if _blocks_now_or_later(s.kind, s.ends_at, now)
        )
    log.info("bulk sanctions: %s given, %s created", len(unique), created)
    return created


def lift(sanction_id: int, *, actor, reason: str) -> Sanction:
    """End a sanction early, recording who, when and why; lifting twice is refused."""
    if not isinstance(reason, str) or not reason.strip():
        raise SanctionError(_("A reason is required to lift a sanction."))
    who = audit.resolve(actor)
    with transaction.atomic():
        try:
            sanction = Sanction.objects.select_for_update().get(pk=sanction_id)
        except (Sanction.DoesNotExist, ValueError, TypeError):
            raise SanctionError(_("No sanction with id %(id)s.") % {"id": sanction_id})
        if sanction.lifted_at is not None:
            raise SanctionAlreadyLifted(
                _("Sanction %(id)s was already lifted.") % {"id": sanction_id}
            )
        sanction.lifted_at = timezone.now()
        sanction.lifted_by_id = who.user_id
        sanction.lift_reason = reason.strip()
        sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        _audit_lifted(who, [(sanction.pk, sanction.kind, sanction.reason_code)])
        invalidate([sanction.user_id])
    log.info("sanction %s lifted by %s", sanction.pk, who)
    return sanction


def lift_bulk(sanction_ids: Iterable[int], *, actor, reason: str) -> int:
    """End many sanctions early with one reason (the admin's action); returns how many were
    lifted. Unknown or already-lifted ids are left as they are; one UPDATE per chunk."""
    if not isinstance(reason, str) or not reason.strip():
        raise SanctionError(_("A reason is required to lift a sanction."))
    ids = sorted({int(pk) for pk in sanction_ids})
    who = audit.resolve(actor)
    lifted = 0
    with transaction.atomic():
        for chunk in chunked(ids, CHUNK):
            lifted += _lift_where(who, reason, pk__in=chunk)
    log.info("%s sanctions lifted by %s", lifted, who)
    return lifted


def _lift_where(who: audit.Actor, reason: str, **where) -> int:
    """Lift the open sanctions matching `where` (rows locked first), one event per row."""
    rows = list(
        Sanction.objects.select_for_update()
        .filter(lifted_at__isnull=True, **where)
        .values_list("pk", "user_id", "kind", "reason_code")
    )
    if not rows:
        return 0
    count = Sanction.objects.filter(pk__in=[r[0] for r in rows], lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by_id=who.user_id, lift_reason=reason.strip()
    )
    _audit_lifted(who, [(pk, kind, code) for pk, _user, kind, code in rows])
    invalidate({r[1] for r in rows})
    return count


def reinstate(user_id: int, *, actor, reason: str) -> int:
    """Lift the learner's active revocations and freezes (HR approved an application)."""
    if not isinstance(reason, str) or not reason.strip():
        raise SanctionError(_("A reason is required to reinstate an account."))
    if missing_user_ids({user_id}):
        raise SanctionError(_("No learner with id %(id)s.") % {"id": user_id})
    who = audit.resolve(actor)
    with transaction.atomic():
        count = _lift_where(who, reason, user_id=user_id, kind__in=UNTIL_LIFTED)
    log.info("user %s reinstated: %s sanctions lifted", user_id, count)
    return count
