"""The audit trail after a restore: the chain verifies, holds the head kept outside, and the
chain row agrees with the events (P-11, P-33).

The verifier walks the whole chain (`chain.verify(full=True)`); nothing is sealed here, so a
row added by hand to the restored copy stays unsealed and visible. Deleting the newest rows
leaves a consistent shorter chain: only the head kept outside the database (`--expect-head`,
printed by `elearn_verify_audit` when the backup was taken) finds that, or the chain row
still counting them.
"""

from __future__ import annotations

from django.db.models import Max

from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditChain, AuditEvent
from elearn_plugin.integrity.report import Problem, Report


def check_trail(report: Report, expect_head: tuple[int, str] | None = None) -> None:
    table = AuditEvent._meta.db_table
    report.checked.append("audit_chain")
    try:
        result = chain.verify(full=True)
    except chain.AuditKeyMissing:
        report.problems.append(
            Problem("audit_key_missing", table, 0, detail="ELEARN_AUDIT_KEY is not configured")
        )
        return
    if not result.ok:
        report.problems.append(Problem("audit_chain_broken", table, 1, detail=result.problem))
    _check_chain_row(report)
    if expect_head is None:
        report.notes.append(
            "audit head not compared: pass --expect-head POSITION:HMAC kept with the backup"
        )
        return
    report.checked.append("audit_head")
    seq, mac = expect_head
    found = AuditEvent.objects.filter(seq=seq).values_list("pk", "mac").first()
    if found is None or found[1] != mac:
        report.problems.append(
            Problem(
                "audit_head_missing",
                table,
                1,
                (found[0],) if found else (),
                f"position {seq} kept outside is "
                + ("sealed differently" if found else "not in the chain"),
            )
        )


def _check_chain_row(report: Report) -> None:
    """The chain row's sealed position must be the newest sealed event's."""
    report.checked.append("audit_chain_row")
    row = AuditChain.objects.filter(name="main").first()
    sealed_seq = row.sealed_seq if row else 0
    newest = AuditEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
    if newest == sealed_seq:
        return
    detail = f"events sealed up to position {newest}, the chain row says {sealed_seq}: " + (
        "the newest events are missing" if newest < sealed_seq else "the chain row is older"
    )
    report.problems.append(
        Problem("audit_chain_row", AuditChain._meta.db_table, abs(newest - sealed_seq), (), detail)
    )
