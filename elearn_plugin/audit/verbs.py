"""The closed list of audited verbs and the data each may carry (ADR 0009).

`data` holds ids and codes only, so erasing a person (the host's retirement) never needs to
touch the trail: a key's suffix says what its value may be, and each verb allows only the keys
listed here. Free text (a sanction's reason, a name, an e-mail address) stays on the row that
the event's target names, where retirement can reach it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from hashlib import sha256

from elearn_plugin.audit.errors import AuditError

VERBS: dict[str, frozenset[str]] = {
    # Organisation (P-1, P-2, P-6)
    "unit.created": frozenset({"unit_code", "parent_id", "kind_code"}),
    "unit.updated": frozenset({"changed_fields"}),
    "unit.moved": frozenset({"parent_id", "old_parent_id"}),
    "job_role.saved": frozenset({"role_code", "created"}),
    "contact.assigned": frozenset({"unit_id", "is_lead", "created"}),
    "contact.removed": frozenset({"unit_id"}),
    "membership.changed": frozenset({"unit_id", "old_unit_id", "starts_at"}),
    # No employee id: it identifies the person outside the site and stays on the Person row.
    "person.created": frozenset({"unit_id", "role_code"}),
    "person.updated": frozenset({"changed_fields"}),
    "person.password_issued": frozenset(),
    "person.password_changed": frozenset(),
    # Account lifecycle (P-2, P-6, P-7, P-31, P-32)
    "person.departed": frozenset({"unit_id", "left_on"}),
    "person.rehired": frozenset({"unit_id", "hired_on"}),
    "person.retired": frozenset(),
    "seats.set": frozenset({"unit_id", "seat_count", "previous_count"}),
    "roster.applied": frozenset(
        {
            "source_code",
            "digest_key",
            "hire_count",
            "transfer_count",
            "departure_count",
            "role_change_count",
            "return_count",
        }
    ),
    "roster.held": frozenset({"source_code", "digest_key", "departure_count", "count"}),
    # Account sharing (P-4): incidents of shared use and what HR decided about them
    "sharing.incident_recorded": frozenset(
        {"action_code", "suspicion_count", "sign_in_count", "starts_at", "ends_at"}
    ),
    "sharing.incident_confirmed": frozenset({"sanction_id"}),
    "sharing.incident_dismissed": frozenset(),
    # Reinstatement (P-8, P-23): a blocked learner's application and HR's decision
    "reinstatement.link_sent": frozenset(),
    "reinstatement.applied": frozenset({"application_id"}),
    "reinstatement.approved": frozenset({"application_id", "count"}),
    "reinstatement.rejected": frozenset({"application_id"}),
    # Family view (P-35): links to a learner's report, each view of one
    "family.link_issued": frozenset({"link_id", "expires_at"}),
    "family.link_revoked": frozenset({"link_id"}),
    "family.link_viewed": frozenset({"link_id", "view_count"}),
    # Privacy (P-32): the notice acknowledged, expired evidence erased, a subject access
    "privacy.notice_acknowledged": frozenset({"version_code"}),
    "privacy.retention_erased": frozenset(
        {"ip_count", "timing_count", "cutoff_at", "timing_cutoff_at"}
    ),
    "privacy.subject_access_exported": frozenset({"model_count", "row_count"}),
    # Review before learners see content (P-5, P-10, P-11, P-13)
    "review.submitted": frozenset({"kind_code", "course_key", "target_key", "fingerprint_key"}),
    "review.started": frozenset({"target_key"}),
    "review.approved": frozenset({"target_key", "fingerprint_key"}),
    "review.rejected": frozenset({"target_key"}),
    "review.changes_requested": frozenset({"target_key"}),
    "review.withdrawn": frozenset({"target_key"}),
    "review.illegal_reported": frozenset({"target_key", "sanction_id", "uploader_id"}),
    "contribution.awarded": frozenset({"contribution_id", "rank_count"}),
    # Requests, feedback and surveys (P-29): what people wrote stays on the item's row
    "feedback.submitted": frozenset({"kind_code", "about_code", "course_key"}),
    "feedback.answered": frozenset({"item_id", "is_late"}),
    "feedback.closed": frozenset({"item_id", "reason_code"}),
    "survey.saved": frozenset({"question_count", "created"}),
    "survey.opened": frozenset({"survey_id"}),
    "survey.closed": frozenset({"survey_id"}),
    "survey.answered": frozenset({"survey_id", "created"}),
    # Standing (P-4, P-5, P-8, P-21..P-23)
    "sanction.imposed": frozenset({"kind_code", "reason_code", "source_key", "ends_at"}),
    "sanction.lifted": frozenset({"kind_code", "reason_code"}),
    # Month close (P-16, P-21..P-23, P-33): standings are recorded per chunk, sanctions each
    "month_close.started": frozenset({"period_code", "digest_key", "chunk_count"}),
    "month_close.chunk_judged": frozenset(
        {"period_code", "first_user_id", "last_user_id", "count", "sanctioned_count"}
    ),
    "month_close.held": frozenset({"period_code", "count", "sanctioned_count"}),
    "month_close.confirmed": frozenset({"period_code"}),
    "month_close.closed": frozenset(
        {"period_code", "count", "warning_count", "suspension_count", "revocation_count"}
    ),
    # Hours cap and rankings (P-24, P-25): recorded and frozen when a month closes
    "hours.recorded": frozenset({"period_code", "count"}),
    "ranking.frozen": frozenset({"period_code", "count", "candidate_count"}),
    # Kill switch and policy (P-33)
    "learning.switched": frozenset({"enabled"}),
    "policy.activated": frozenset({"digest_key", "previous_key"}),
    # Credits (P-12, P-20)
    "ledger.entry_added": frozenset({"kind_code", "amount", "source_key", "course_key"}),
    "ledger.totals_built": frozenset({"zone_key", "previous_key", "count"}),
    # Learning time and slots (P-18, P-26, P-27)
    "activity.recorded": frozenset(
        {"kind_code", "course_key", "source_key", "seconds", "classification_code"}
    ),
    "slot.granted": frozenset({"starts_at", "ends_at", "created"}),
    "classroom.recorded": frozenset({"attendee_count", "created"}),
    # Courses (P-14, P-16, P-17)
    "course_policy.saved": frozenset(
        {"course_key", "kind_code", "origin_code", "credits", "created"}
    ),
    "assignment.created": frozenset({"course_key", "source_key", "due_at"}),
    "completion.recorded": frozenset({"course_key", "source_code"}),
    "course_passing.changed": frozenset({"course_key", "is_passing", "source_code"}),
    "assignment.withdrawn": frozenset({"course_key", "reason_code"}),
    "assignment.enrolled": frozenset({"course_key"}),
    "assignment_rule.saved": frozenset(
        {"role_code", "course_key", "due_on", "due_days", "origin_code", "created"}
    ),
    "assignment_rule.removed": frozenset({"role_code", "course_key", "origin_code"}),
    # Staff pages (P-28): a contact reminds learners behind; the monthly unit report is sent
    "learner.reminded": frozenset({"period_code", "unit_id"}),
    "unit_report.sent": frozenset({"period_code", "count"}),
    # Tracked video (P-17, P-19)
    "video.registered": frozenset({"block_key", "course_key", "created"}),
    "video.duration_set": frozenset({"block_key", "seconds"}),
    "video.completed": frozenset({"block_key", "course_key", "session_id"}),
    "sharing.suspected": frozenset({"case_key", "signal_code", "session_id"}),
    "builtin_videos.found": frozenset({"course_key", "count"}),
    # Instructor archive and teaching supervision (P-27, P-30)
    "teaching_session.recorded": frozenset({"kind_code", "course_key", "classroom_id"}),
    "instructor.recorded": frozenset({"user_id"}),
    "instructor.linked": frozenset({"user_id"}),
    "instructor.named": frozenset({"instructor_id", "course_key", "origin_code"}),
    "session_rating.saved": frozenset({"session_id", "score_code", "created"}),
}

_KEY = re.compile(r"^[\w:+.@/-]{0,255}$")  # course, block, source and natural keys
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{0,64}$")
_FIELD = re.compile(r"^[a-z_]{1,64}$")
MAX_LIST = 1000


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_value(verb: str, key: str, value: object) -> object:
    """Check one value against what its key's suffix allows; returns the stored form."""
    problem = f"{verb}: {key}"
    if value is None:
        return None
    if key.endswith(("_id", "_days", "_count")) or key in {"seconds", "count"}:
        if not _is_int(value):
            raise AuditError(f"{problem} must be an integer")
        return value
    if key.endswith("_ids"):
        if not isinstance(value, (list, tuple)) or len(value) > MAX_LIST:
            raise AuditError(f"{problem} must be a list of at most {MAX_LIST} integers")
        if not all(_is_int(item) for item in value):
            raise AuditError(f"{problem} must hold integers only")
        return sorted(value)
    if key.endswith("_fields"):
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(item, str) and _FIELD.match(item) for item in value
        ):
            raise AuditError(f"{problem} must be a list of field names")
        return sorted(set(value))
    if key in {"created", "enabled"} or key.startswith("is_"):
        if not isinstance(value, bool):
            raise AuditError(f"{problem} must be true or false")
        return value
    if key.endswith("_on"):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise AuditError(f"{problem} must be a date")
        return value.isoformat()
    if key.endswith("_at"):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise AuditError(f"{problem} must be a timezone-aware datetime")
        return value.isoformat()
    if key in {"amount", "credits"}:
        try:
            return str(Decimal(str(value)))
        except InvalidOperation:
            raise AuditError(f"{problem} must be a decimal number") from None
    if key.endswith("_code"):
        if not isinstance(value, str) or not _CODE.match(value):
            raise AuditError(f"{problem} must be a code (letters, digits, _ . : -)")
        return value
    if key.endswith("_key"):
        if not isinstance(value, str):
            raise AuditError(f"{problem} must be a key")
        # A natural key the writer accepted may be free text (a sanction's source typed by
        # HR): the trail keeps a digest of it then, which still matches, but no words.
        return value if _KEY.match(value) else "sha256:" + sha256(value.encode()).hexdigest()
    raise AuditError(f"{problem}: no rule says what this key may hold")


def clean_data(verb: object, data: object) -> dict:
    """The event's data, checked against the verb's allow-list (ids and codes only)."""
    if not isinstance(verb, str) or verb not in VERBS:
        raise AuditError(f"unknown audit verb {verb!r}; verbs are listed in audit/verbs.py")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AuditError(f"{verb}: data must be a dict")
    unknown = sorted(set(data) - VERBS[verb])
    if unknown:
        raise AuditError(f"{verb}: data may not hold {unknown}; allowed: {sorted(VERBS[verb])}")
    return {key: _clean_value(verb, key, value) for key, value in sorted(data.items())}
