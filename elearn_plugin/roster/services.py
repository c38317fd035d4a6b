"""The roster sync (P-2, P-6, P-7): compare HR's roster with the people, guard, apply.

A sync reads the whole roster first (a source raises rather than return part of it), checks
it against the units and job roles, computes the diff (`elearn_plugin.rules.roster`) and
then either holds it for HR — the guard found it would freeze too many people, or the
roster looks empty or truncated — or applies it in one transaction through the domains'
bulk writers. A failure undoes everything and is recorded as a failed sync in a
transaction of its own; the same roster applied again changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.org.provisioning_rows import RowProblem
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.roster.apply import RosterApplyError, apply_diff, load_people, unknown_codes
from elearn_plugin.roster.models import RosterSync, SyncStatus
from elearn_plugin.roster.sources import RosterClient
from elearn_plugin.rules.roster import RosterDiff, RosterPerson, compute_diff, digest, guard

log = logging.getLogger(__name__)

DRY_RUN = "dry_run"
NOTHING = "nothing"
HELD = SyncStatus.HELD.value
APPLIED = SyncStatus.APPLIED.value

__all__ = ["RosterApplyError", "SyncReport", "latest_sync", "sync_roster"]


@dataclass
class SyncReport:
    """What a sync did: `status` is `dry_run`, `nothing`, `held` or `applied`.

    `reason` is the guard's code when it holds (also given on a dry run or a confirmed
    sync, so HR sees what was overridden); `sync_id` the recorded `RosterSync`, if any.
    """

    status: str
    diff: RosterDiff
    digest: str
    source: str
    active_count: int
    reason: str | None = None
    sync_id: int | None = None
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        d = self.diff
        return {
            "hire_count": len(d.hires),
            "transfer_count": len(d.transfers),
            "departure_count": len(d.departures),
            "role_change_count": len(d.role_changes),
            "return_count": len(d.returns),
        }


def latest_sync() -> RosterSync | None:
    """The last recorded sync (held, applied or failed), or None."""
    return RosterSync.objects.order_by("-created_at", "-id").first()


def _read(source: RosterClient | Iterable[RosterPerson]) -> tuple[str, list[RosterPerson]]:
    if hasattr(source, "fetch"):
        return str(getattr(source, "source_code", "custom")), list(source.fetch())
    return "list", list(source)


def _row(report: SyncReport, status: str, reason: str = "") -> RosterSync:
    d = report.diff
    return RosterSync.objects.create(
        status=status,
        source=report.source[:32],
        digest=report.digest,
        reason=reason[:64],
        roster_count=d.roster_count,
        missing_count=len(d.missing),
        **report.counts,
    )


def sync_roster(
    source: RosterClient | Iterable[RosterPerson],
    *,
    dry_run: bool = False,
    confirm: bool = False,
    actor=None,
    now: datetime | None = None,
) -> SyncReport:
    """Sync the people with HR's roster; returns what was (or would be) done.

    `source` is a `RosterClient` (its `fetch()` is called once) or the roster itself.
    Raises `RosterSourceError` when the roster cannot be read whole, `RosterApplyError`
    when it names unknown units or job roles (nothing recorded: bad input) or when a writer
    refuses a change (rolled back, recorded as a failed sync). Held unless `confirm`
    when the guard holds; the same roster held twice is recorded once. `actor` None is the
    principal running now (a command or the tick job).
    """
    audit.resolve(actor)  # refuse a change nobody made before reading anything (ADR 0009)
    now = now or timezone.now()
    if not is_aware(now):
        raise ValueError("now must be timezone-aware")
    policy = get_policy()
    tz = policy.tz
    today = now.astimezone(tz).date()
    source_code, roster = _read(source)
    units, _roles, problems = unknown_codes(roster)
    if problems:
        raise RosterApplyError(
            _(
                "The roster names {count} unknown unit or job role code(s); nothing was applied."
            ).format(count=len(problems)),
            problems,
        )
    here = load_people()
    diff = compute_diff(roster, here.people, today)
    rule = policy.roster
    reason = guard(diff, here.active_count, rule.max_departure_share, rule.min_departures_held)
    report = SyncReport(
        status=DRY_RUN,
        diff=diff,
        digest=digest(roster),
        source=source_code,
        active_count=here.active_count,
        reason=reason,
    )
    log.info(
        "roster sync: %d record(s), %d change(s), guard %s",
        diff.roster_count,
        diff.changes,
        reason or "ok",
    )
    if dry_run:
        return report
    latest = latest_sync()
    if reason is not None and not confirm:
        report.status = HELD
        if latest is not None and latest.status == HELD and latest.digest == report.digest:
            report.sync_id = latest.id  # the same roster, held already: recorded once
            return report
        with transaction.atomic():
            sync = _row(report, HELD, reason)
            audit.record(
                actor,
                "roster.held",
                sync,
                {
                    "source_code": source_code,
                    "digest_key": f"sha256:{report.digest}",
                    "departure_count": len(diff.departures),
                    "count": diff.roster_count,
                },
            )
        report.sync_id = sync.id
        return report
    if diff.empty and not (latest is not None and latest.status == HELD):
        report.status = NOTHING  # nothing to do, nothing held: nothing is recorded
        return report
    try:
        with transaction.atomic():
            if not diff.empty:
                apply_diff(diff, here, units, today=today, tz=tz, actor=actor)
            sync = _row(report, APPLIED, reason or "")
            audit.record(
                actor,
                "roster.applied",
                sync,
                {
                    "source_code": source_code,
                    "digest_key": f"sha256:{report.digest}",
                    **report.counts,
                },
            )
    except Exception as exc:
        try:
            with transaction.atomic():
                _row(report, SyncStatus.FAILED.value, type(exc).__name__)
        except DatabaseError as failed:  # the database itself failed; the error is re-raised
            # Class names only: a database's message may quote a row's values (P-32).
            log.error("roster sync: the failure could not be recorded (%s)", type(failed).__name__)
        log.warning("roster sync failed (%s); nothing was applied", type(exc).__name__)
        raise
    report.status = APPLIED if not diff.empty else NOTHING
    report.sync_id = sync.id
    return report
