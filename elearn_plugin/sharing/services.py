"""The only writer of sharing incidents: evidence of shared use becomes, per the policy's
`sharing.action`, a one-week suspension or a flag HR confirms (P-4).

`judge_sharing` reads the evidence not yet handled (overlapping playback from the tracked
video, concurrent sign-ins from `sharing.places`) a chunk of learners at a time, with a
fixed number of statements per chunk: it groups each learner's evidence into incidents
(`rules.sharing`), joins evidence that falls in the window of an incident recorded by an
earlier run to that incident (so shared use spread over two ticks is still one suspension),
records the new incidents, imposes their suspensions through `standing.impose_bulk` (keyed
by incident: a re-run imposes nothing twice), queues the learner's message, audits each
incident and marks the evidence handled, all in one transaction. The suspension has an end,
so it lifts itself.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.outbox.services import OutboxRow, enqueue_bulk
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.sharing import PLAYBACK, SIGN_IN, Evidence, Incident, group_incidents
from elearn_plugin.sharing.models import IncidentStatus, SessionOverlap, SharingIncident
from elearn_plugin.standing.models import Sanction
from elearn_plugin.standing.services import SanctionSpec, impose_bulk
from elearn_plugin.video.models import SharingSuspicion

CHUNK = 500
REASON_CODE = "sharing"


class SharingError(ValueError):
    """HR's decision cannot be taken (unknown incident, already decided); nothing changed."""


def _source(user_id: int, starts_at: datetime) -> str:
    return f"sharing:{user_id}:{starts_at.isoformat()}"


def _suspensions(incidents: list[SharingIncident], policy: Policy, now: datetime, who) -> None:
    """Suspend the incidents' learners from `now` for the policy's days, tell them, and link
    each incident to its sanction (set-based; a key already taken imposes nothing)."""
    if not incidents:
        return
    ends = now + timedelta(days=policy.sharing.suspension_days)
    impose_bulk(
        [
            SanctionSpec(
                user_id=i.user_id,
                kind="suspension",
                reason_code=REASON_CODE,
                source=_source(i.user_id, i.starts_at),
                starts_at=now,
                ends_at=ends,
                evidence={
                    "suspicion_ids": list(i.suspicion_ids),
                    "sign_in_ids": list(i.sign_in_ids),
                },
            )
            for i in incidents
        ],
        actor=who,
    )
    by_source = dict(
        Sanction.objects.filter(
            kind="suspension", source__in=[_source(i.user_id, i.starts_at) for i in incidents]
        ).values_list("source", "pk")
    )
    for incident in incidents:
        incident.sanction_id = by_source.get(_source(incident.user_id, incident.starts_at))
    SharingIncident.objects.bulk_update(incidents, ["sanction"])
    tz = policy.tz
    enqueue_bulk(
        [
            OutboxRow(
                key=f"sharing:{i.pk}",
                message_type="sharing_flag",
                user_id=i.user_id,
                context={
                    "detected_on": i.starts_at.astimezone(tz).date().isoformat(),
                    "ends_on": ends.astimezone(tz).date().isoformat(),
                },
            )
            for i in incidents
        ]
    )


def _chunks_of_learners():
    """User ids with evidence (playback or sign-in) not yet handled, a chunk at a time (read
    again each time, so a chunk handled by a concurrent run is not taken twice)."""
    after = 0
    while True:
        ids = sorted(
            {
                *_open_user_ids(SharingSuspicion, after),
                *_open_user_ids(SessionOverlap, after),
            }
        )[:CHUNK]
        if not ids:
            return
        yield ids
        after = ids[-1]


def _open_user_ids(model, after: int) -> list[int]:
    return list(
        model.objects.filter(handled_at__isnull=True, user_id__gt=after)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:CHUNK]
    )


def _open_evidence(user_ids: list[int]) -> list[tuple]:
    """(kind, pk, user id, at) of the chunk's unhandled evidence, rows locked."""
    rows = []
    for kind, model in ((PLAYBACK, SharingSuspicion), (SIGN_IN, SessionOverlap)):
        rows += [
            (kind, *row)
            for row in model.objects.select_for_update()
            .filter(user_id__in=user_ids, handled_at__isnull=True)
            .values_list("pk", "user_id", "detected_at")
        ]
    return rows


def judge_sharing(policy: Policy, *, now: datetime | None = None, actor=None) -> dict:
    """Turn every piece of unhandled evidence into incidents; returns what was recorded."""
    who = audit.resolve(actor)
    now = now or timezone.now()
    window = timedelta(hours=policy.sharing.incident_window_hours)
    suspend = policy.sharing.action == "suspend"
    counts = {"incidents": 0, "suspended": 0, "flagged": 0, "joined": 0}
    for user_ids in _chunks_of_learners():
        with transaction.atomic():
            rows = _open_evidence(user_ids)
            if not rows:
                continue  # a concurrent run took this chunk
            fresh = _join_recent(rows, window, counts)
            incidents = [
                SharingIncident(
                    user_id=i.user_id,
                    starts_at=i.starts_at,
                    ends_at=i.ends_at,
                    status=IncidentStatus.SUSPENDED if suspend else IncidentStatus.FLAGGED,
                    suspicion_ids=list(i.evidence_ids),
                    sign_in_ids=list(i.sign_in_ids),
                    created_at=now,
                )
                for i in group_incidents(fresh, window)
            ]
            SharingIncident.objects.bulk_create(incidents)
            incidents = list(
                SharingIncident.objects.filter(
                    user_id__in={i.user_id for i in incidents}, created_at=now
                )
            )
            if suspend:
                _suspensions(incidents, policy, now, who)
            _audit_recorded(who, incidents, "suspend" if suspend else "flag")
            for kind, model in ((PLAYBACK, SharingSuspicion), (SIGN_IN, SessionOverlap)):
                model.objects.filter(pk__in=[r[1] for r in rows if r[0] == kind]).update(
                    handled_at=now
                )
            counts["incidents"] += len(incidents)
            counts["suspended" if suspend else "flagged"] += len(incidents)
    return counts


def _join_recent(rows: list[tuple], window: timedelta, counts: dict) -> list[Evidence]:
    """Evidence inside the window of an incident an earlier run recorded joins it (no new
    consequence); the rest is returned for new incidents."""
    earliest = min(at for _kind, _pk, _user, at in rows)
    latest: dict[int, SharingIncident] = {}
    for incident in SharingIncident.objects.filter(
        user_id__in={user for _kind, _pk, user, _at in rows}, starts_at__gt=earliest - window
    ).order_by("starts_at"):
        latest[incident.user_id] = incident
    joined: dict[int, list[tuple]] = defaultdict(list)
    fresh: list[Evidence] = []
    for kind, pk, user_id, at in rows:
        incident = latest.get(user_id)
        if incident is not None and incident.starts_at <= at < incident.starts_at + window:
            joined[user_id].append((kind, pk, at))
        else:
            fresh.append(Evidence(user_id, pk, at, kind))
    changed = []
    for user_id, items in joined.items():
        incident = latest[user_id]
        playback = (pk for kind, pk, _at in items if kind == PLAYBACK)
        sign_ins = (pk for kind, pk, _at in items if kind == SIGN_IN)
        incident.suspicion_ids = sorted({*incident.suspicion_ids, *playback})
        incident.sign_in_ids = sorted({*incident.sign_in_ids, *sign_ins})
        incident.ends_at = max(incident.ends_at, *(at for _kind, _pk, at in items))
        changed.append(incident)
    if changed:
        SharingIncident.objects.bulk_update(changed, ["suspicion_ids", "sign_in_ids", "ends_at"])
        counts["joined"] += sum(len(items) for items in joined.values())
    return fresh


def _audit_recorded(who, incidents: list[SharingIncident], action: str) -> None:
    audit.record_bulk(
        who,
        "sharing.incident_recorded",
        [
            (
                incident,
                {
                    "action_code": action,
                    "suspicion_count": len(incident.suspicion_ids),
                    "sign_in_count": len(incident.sign_in_ids),
                    "starts_at": incident.starts_at,
                    "ends_at": incident.ends_at,
                },
            )
            for incident in incidents
        ],
    )


def _flagged(incident_id: int) -> SharingIncident:
    incident = SharingIncident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise SharingError(_("No such account sharing incident."))
    if incident.status != IncidentStatus.FLAGGED:
        raise SharingError(_("This incident has been decided already."))
    return incident


def confirm(incident_id: int, policy: Policy, *, actor, now: datetime | None = None) -> Sanction:
    """HR confirms a flagged incident: the learner is suspended for the policy's days."""
    who = audit.resolve(actor)
    now = now or timezone.now()
    with transaction.atomic():
        incident = _flagged(incident_id)
        _suspensions([incident], policy, now, who)
        incident.status = IncidentStatus.CONFIRMED
        incident.decided_by_id, incident.decided_at = who.user_id, now
        incident.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            who, "sharing.incident_confirmed", incident, {"sanction_id": incident.sanction_id}
        )
    return incident.sanction


def dismiss(incident_id: int, *, actor, now: datetime | None = None) -> None:
    """HR dismisses a flagged incident: nothing happens to the account."""
    who = audit.resolve(actor)
    with transaction.atomic():
        incident = _flagged(incident_id)
        incident.status = IncidentStatus.DISMISSED
        incident.decided_by_id, incident.decided_at = who.user_id, now or timezone.now()
        incident.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(who, "sharing.incident_dismissed", incident, {})


__all__ = ["Incident", "SharingError", "confirm", "dismiss", "judge_sharing"]
