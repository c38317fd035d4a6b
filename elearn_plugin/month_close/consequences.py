"""What a learner's verdict becomes: a standing row, sanctions and messages, all keyed.

Every key names the learner, the rule and the month (`missed_tasks:2026-10`,
`task_suspension:<user>:2026-10`), so a re-run of a chunk, a redelivered task or a second
close of the month adds nothing (P-33). The sanction's evidence is the verdict's, so the
learner who is refused and HR in the admin read the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from elearn_plugin.gate import deadline_text
from elearn_plugin.outbox.services import OutboxRow
from elearn_plugin.rules.month_verdicts import (
    MISSED_TASKS_SUSPENSION,
    QUOTA_WARNING,
    REVOCATION,
    Verdict,
)
from elearn_plugin.standing.models import SanctionKind
from elearn_plugin.standing.services import SanctionSpec

# consequence -> (sanction kind, reason code, source prefix, message type)
RULES = {
    QUOTA_WARNING: (SanctionKind.WARNING, "quota_shortfall", "quota", "quota_warning"),
    MISSED_TASKS_SUSPENSION: (
        SanctionKind.SUSPENSION,
        "missed_tasks",
        "missed_tasks",
        "task_suspension",
    ),
    REVOCATION: (SanctionKind.REVOCATION, "missed_task_months", "revocation", "revocation"),
}
SANCTIONING = (MISSED_TASKS_SUSPENSION, REVOCATION)


# The keys of a verdict's evidence that a standing's own columns hold: stored once.
IN_COLUMNS = frozenset(
    (
        "user_id",
        "period",
        "exempt",
        "quota_required",
        "required_completed",
        "quota_met",
        "months_with_misses",
        "consequences",
    )
)


def standing_evidence(evidence: dict) -> dict:
    """What a standing stores of its verdict's evidence: the facts its columns do not hold
    (the completions counted, the tasks missed with their due dates, the months with misses,
    the suspension's start and end), empty ones left out. A month's 200,000 standings are
    most of a close's bytes; `verdict_evidence` gives the whole evidence back."""
    return {k: v for k, v in evidence.items() if k not in IN_COLUMNS and v is not None and v != []}


def verdict_evidence(
    user_id: int,
    period: str,
    columns: tuple[list[str], str, int | None, int, bool | None, int],
    stored: dict,
) -> dict:
    """The verdict's whole evidence (`Verdict.evidence`) from a standing's columns
    `(consequences, exempt, quota, required_completed, quota_met, months_with_misses)` and
    its stored evidence: what each sanction keeps and its messages read. A standing stored
    with the whole evidence gives the same."""
    listed, exempt, quota, required_completed, quota_met, months = columns
    return {
        "user_id": user_id,
        "period": period,
        "exempt": exempt or None,
        "quota_required": quota,
        "required_completed": required_completed,
        "quota_met": quota_met,
        "completions": stored.get("completions") or [],
        "missed": stored.get("missed") or [],
        "months_with_misses": months,
        "miss_months": stored.get("miss_months") or [],
        "consequences": list(listed),
        "suspension_starts_at": stored.get("suspension_starts_at"),
        "suspension_ends_at": stored.get("suspension_ends_at"),
    }


def standing_fields(verdict: Verdict) -> dict:
    """The columns of the learner's `Standing` row for this verdict."""
    return {
        "required_completed": verdict.required_completed,
        "quota": verdict.quota_required,
        "quota_met": verdict.quota_met,
        "missed_tasks": len(verdict.missed),
        "months_with_misses": verdict.months_with_misses,
        "consequences": list(verdict.consequences),
        "exempt": verdict.exempt or "",
        "evidence": standing_evidence(verdict.evidence()),
    }


def source_of(consequence: str, period: str) -> str:
    """The sanction's natural key for this consequence of this month."""
    return f"{RULES[consequence][2]}:{period}"


def _suspension_end(evidence: dict, starts_at: datetime, decided_at: datetime) -> datetime:
    """The verdict's end, moved with the start when a held close is applied later."""
    from django.utils.dateparse import parse_datetime  # noqa: PLC0415

    ends = parse_datetime(str(evidence.get("suspension_ends_at") or ""))
    if ends is None:
        raise ValueError("a suspension verdict without its end")
    return ends + (starts_at - decided_at)


def sanction_specs(
    period: str,
    rows: Iterable[tuple[int, list[str], dict]],
    starts_at: datetime,
    decided_at: datetime,
) -> list[SanctionSpec]:
    """The sanctions of standings `(user_id, consequences, evidence)`, starting at `starts_at`."""
    specs = []
    for user_id, consequences, evidence in rows:
        for consequence in consequences:
            kind, reason_code, _prefix, _message = RULES[consequence]
            ends_at = None
            if consequence == MISSED_TASKS_SUSPENSION:
                ends_at = _suspension_end(evidence, starts_at, decided_at)
            specs.append(
                SanctionSpec(
                    user_id=user_id,
                    kind=kind,
                    reason_code=reason_code,
                    source=source_of(consequence, period),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    evidence=evidence,
                )
            )
    return specs


def _local_day(value: datetime, tz) -> str:
    return timezone.localtime(value, tz).date().isoformat()


def messages(
    period: str,
    rows: Iterable[tuple[int, list[str], dict]],
    specs: Iterable[SanctionSpec],
    *,
    quota_email: bool,
    tz,
    titles: dict[str, str] | None = None,
) -> list[OutboxRow]:
    """One email per learner and rule: the reminder (P-21), the suspension (P-22) and the
    revocation (P-23), keyed `<type>:<user>:<month>`."""
    ends = {s.user_id: s.ends_at for s in specs if s.kind == SanctionKind.SUSPENSION}
    titles = titles or {}
    out = []
    for user_id, consequences, evidence in rows:
        for consequence in consequences:
            if consequence == QUOTA_WARNING and not quota_email:
                continue
            message_type = RULES[consequence][3]
            if consequence == QUOTA_WARNING:
                context = {
                    "period": period,
                    "completed": evidence.get("required_completed", 0),
                    "required": evidence.get("quota_required", 0),
                }
            elif consequence == MISSED_TASKS_SUSPENSION:
                context = {
                    "period": period,
                    "missed": len(evidence.get("missed") or []),
                    "ends_on": _local_day(ends[user_id], tz),
                    "tasks": [
                        {
                            "course_key": m["course_key"],
                            "course_title": titles.get(m["course_key"]) or m["course_key"],
                            "due_on": deadline_text(m["due_at"], tz),
                        }
                        for m in evidence.get("missed") or []
                    ],
                }
            else:
                context = {
                    "months": evidence.get("months_with_misses", 0),
                    "month_labels": list(evidence.get("miss_months") or []),
                }
            out.append(
                OutboxRow(
                    key=f"{message_type}:{user_id}:{period}",
                    message_type=message_type,
                    user_id=user_id,
                    context=context,
                )
            )
    return out
