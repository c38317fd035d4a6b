"""Retention of address and timing evidence (P-32): what has expired is erased, in chunks.

Two periods of the policy file (`privacy.retention_days`):

- `ip_addresses`: a watch session's address and the hashes of its browser, and the evidence
  JSON of the sharing signals (`SharingSuspicion`, `SessionOverlap`: the two addresses and
  when each was seen) are blanked once older than this.
- `watch_timing`: the watch sessions themselves (when each player session of a learner ran)
  and the sharing signal rows are deleted once older than this.

What stays, whatever its age:
- evidence not yet judged (`handled_at` empty): the sharing judge has not read it;
- the evidence of a sharing incident that waits for HR (`flagged`), or whose suspension is
  in force (not lifted, not ended): the learner may dispute it and HR must show it;
- the watch session a progress row still points at (its pending learning time is written
  under that session's id) — its address is still blanked in time;
- the training archive (completions, credits, learning activities, standings, sanctions with
  their structured evidence, the audit trail): the organisation's record of the employee
  (P-7, P-26), not evidence of how they watched; retirement erases its personal fields.

Each statement is set-based over a chunk of primary keys (one SELECT of ids, one UPDATE or
DELETE), never a loop per learner, and matches only rows that still hold something to erase,
so a second run changes nothing (P-33). One audit event records what a run erased.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from elearn_plugin import audit

CHUNK = 1000


def _kept_evidence(now: datetime) -> tuple[set[int], set[int]]:
    """(suspicion ids, sign-in ids) that a flagged incident or a live suspension needs."""
    from elearn_plugin.sharing.models import IncidentStatus, SharingIncident  # noqa: PLC0415
    from elearn_plugin.standing.models import Sanction  # noqa: PLC0415

    live = Sanction.objects.filter(lifted_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    incidents = SharingIncident.objects.filter(
        Q(status=IncidentStatus.FLAGGED) | Q(sanction__in=live.values("pk"))
    ).values_list("suspicion_ids", "sign_in_ids")
    suspicions: set[int] = set()
    sign_ins: set[int] = set()
    for suspicion_ids, sign_in_ids in incidents.iterator():
        suspicions.update(int(i) for i in suspicion_ids or [])
        sign_ins.update(int(i) for i in sign_in_ids or [])
    return suspicions, sign_ins


def _in_chunks(queryset, write) -> int:
    """Apply `write(pks)` to the rows of `queryset` a chunk of ids at a time; rows written."""
    done = 0
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not pks:
            return done
        with transaction.atomic():
            written = write(pks)
        done += written
        if written < len(pks):  # a concurrent writer got there first; nothing loops forever
            return done


def _referenced(suspicions) -> Q:
    """Watch sessions the given suspicions name (a Q to exclude them)."""
    return Q(pk__in=suspicions.values("first_session")) | Q(
        pk__in=suspicions.values("second_session")
    )


def erase_addresses(cutoff: datetime, kept: tuple[set[int], set[int]]) -> int:
    """Blank addresses and device hashes recorded before `cutoff`; rows changed."""
    from elearn_plugin.sharing.models import SessionOverlap  # noqa: PLC0415
    from elearn_plugin.video.models import SharingSuspicion, WatchSession  # noqa: PLC0415

    kept_suspicions, kept_sign_ins = kept
    needed = SharingSuspicion.objects.filter(Q(handled_at__isnull=True) | Q(pk__in=kept_suspicions))
    sessions = (
        WatchSession.objects.filter(created_at__lt=cutoff)
        .filter(Q(ip__isnull=False) | ~Q(user_agent_hash="") | ~Q(browser_hash=""))
        .exclude(_referenced(needed))
    )
    changed = _in_chunks(
        sessions,
        lambda pks: WatchSession.objects.filter(pk__in=pks).update(
            ip=None, user_agent_hash="", browser_hash=""
        ),
    )
    for model, keep in ((SharingSuspicion, kept_suspicions), (SessionOverlap, kept_sign_ins)):
        rows = (
            model.objects.filter(detected_at__lt=cutoff, handled_at__isnull=False)
            .exclude(evidence={})
            .exclude(pk__in=keep)
        )
        changed += _in_chunks(
            rows, lambda pks, m=model: m.objects.filter(pk__in=pks).update(evidence={})
        )
    return changed


def _delete(model):
    """Delete a chunk of `model` by id; the rows of `model` deleted (nothing cascades: the
    callers leave out every row something still refers to)."""
    return lambda pks: model.objects.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)


def erase_timing(cutoff: datetime, kept: tuple[set[int], set[int]]) -> int:
    """Delete watch sessions and sharing signals recorded before `cutoff`; rows deleted."""
    from elearn_plugin.sharing.models import SessionOverlap  # noqa: PLC0415
    from elearn_plugin.video.models import SharingSuspicion, WatchProgress, WatchSession  # noqa: PLC0415

    kept_suspicions, kept_sign_ins = kept
    deleted = 0
    for model, keep in ((SharingSuspicion, kept_suspicions), (SessionOverlap, kept_sign_ins)):
        rows = model.objects.filter(detected_at__lt=cutoff, handled_at__isnull=False).exclude(
            pk__in=keep
        )
        deleted += _in_chunks(rows, _delete(model))
    # Every suspicion left (kept, not judged, or younger) keeps its two sessions, and a
    # progress row its current one (its pending learning time is keyed by that session).
    sessions = (
        WatchSession.objects.filter(created_at__lt=cutoff)
        .exclude(_referenced(SharingSuspicion.objects.all()))
        .exclude(pk__in=WatchProgress.objects.filter(session__isnull=False).values("session"))
    )
    deleted += _in_chunks(sessions, _delete(WatchSession))
    return deleted


def erase_expired(policy, *, now: datetime | None = None, actor=None) -> dict:
    """Erase what the policy's retention periods let go; what was erased, for the tick."""
    now = now or timezone.now()
    rule = policy.privacy
    ip_cutoff = now - timedelta(days=rule.ip_address_days)
    timing_cutoff = now - timedelta(days=rule.watch_timing_days)
    who = audit.resolve(actor)
    kept = _kept_evidence(now)
    # Timing first: a session deleted needs no blanking.
    timing = erase_timing(timing_cutoff, kept)
    addresses = erase_addresses(ip_cutoff, kept)
    if timing or addresses:
        with transaction.atomic():
            audit.record(
                who,
                "privacy.retention_erased",
                "elearn_plugin.privacy:retention",
                {
                    "ip_count": addresses,
                    "timing_count": timing,
                    "cutoff_at": ip_cutoff,
                    "timing_cutoff_at": timing_cutoff,
                },
            )
    return {"addresses": addresses, "timing": timing}
