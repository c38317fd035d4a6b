"""The only writers of course policies, assignments and completions (ADR 0001).

Completions recorded here are the ones rules and reports read (P-17): either verified by
this plugin (every tracked video watched to the end and the assessment passed) or imported
from HR's records. The host's BlockCompletion is forgeable by learners and never read here.
Each completion also credits the course's credits to the ledger, keyed
`completion:<course_key>`, so a replay credits nothing twice (P-20, P-33).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.upsert import conflict_target, insert_returning_ours
from elearn_plugin.courses.completions import (  # noqa: F401 - the writers of ADR 0001
    CREDIT_SOURCE_PREFIX,
    CompletionSpec,
    credit_source_key,
    record_completion,
    record_completions_bulk,
)
from elearn_plugin.courses.models import (
    Assignment,
    AssignmentSource,
    CourseKind,
    CourseOrigin,
    CoursePolicy,
)
from elearn_plugin.courses.validation import (  # noqa: F401
    CourseDataError,
    _aware,
    _check_users,
    _choice,
    _course_key,
    _credits,
)

log = logging.getLogger(__name__)

CHUNK_SIZE = 500


@dataclass(frozen=True)
class CoursePolicySpec:
    course_key: str
    title: str
    credits: Decimal
    kind: str
    origin: str


@dataclass(frozen=True)
class AssignmentSpec:
    user_id: int
    course_key: str
    due_at: datetime
    source: str = AssignmentSource.HR
    assigned_at: datetime | None = None


# --- course policies ---------------------------------------------------------------------


def _clean_policy(spec: CoursePolicySpec) -> CoursePolicySpec:
    title = (spec.title or "").strip() if isinstance(spec.title, str) else ""
    if not title:
        raise CourseDataError(_("A course title is required."))
    if len(title) > 255:
        raise CourseDataError(_("The course title is longer than 255 characters."))
    return CoursePolicySpec(
        course_key=_course_key(spec.course_key),
        title=title,
        credits=_credits(spec.credits),
        kind=_choice(spec.kind, CourseKind, "kind"),
        origin=_choice(spec.origin, CourseOrigin, "origin"),
    )


def _audit_policies(who: audit.Actor, rows: Sequence[CoursePolicy], new: set[str]) -> None:
    audit.record_bulk(
        who,
        "course_policy.saved",
        [
            (
                row,
                {
                    "course_key": row.course_key,
                    "kind_code": row.kind,
                    "origin_code": row.origin,
                    "credits": row.credits,
                    "created": row.course_key in new,
                },
            )
            for row in rows
        ],
    )


def save_course_policy(spec: CoursePolicySpec, *, actor=None) -> tuple[CoursePolicy, bool]:
    """Create or update one course's policy; returns (row, created)."""
    clean = _clean_policy(spec)
    who = audit.resolve(actor)
    with transaction.atomic():
        row, created = CoursePolicy.objects.update_or_create(
            course_key=clean.course_key,
            defaults={
                "title": clean.title,
                "credits": clean.credits,
                "kind": clean.kind,
                "origin": clean.origin,
            },
        )
        _audit_policies(who, [row], {row.course_key} if created else set())
    return row, created


def save_course_policies_bulk(specs: Sequence[CoursePolicySpec], *, actor=None) -> int:
    """Create or update many course policies; returns how many were created.

    Rows whose values are already stored are not written at all, so a repeated import
    leaves even `updated_at` untouched.
    """
    clean = [_clean_policy(spec) for spec in specs]
    who = audit.resolve(actor)
    by_key = {spec.course_key: spec for spec in clean}
    if len(by_key) != len(clean):
        raise CourseDataError(_("The same course key is given twice."))
    created = 0
    with transaction.atomic():
        for chunk in chunked(by_key.values(), CHUNK_SIZE):
            stored = {
                key: (title, credits, kind, origin)
                for key, title, credits, kind, origin in CoursePolicy.objects.filter(
                    course_key__in=[spec.course_key for spec in chunk]
                ).values_list("course_key", "title", "credits", "kind", "origin")
            }
            write = [
                spec
                for spec in chunk
                if stored.get(spec.course_key) != (spec.title, spec.credits, spec.kind, spec.origin)
            ]
            created += sum(1 for spec in write if spec.course_key not in stored)
            if not write:
                continue
            CoursePolicy.objects.bulk_create(
                [
                    CoursePolicy(
                        course_key=spec.course_key,
                        title=spec.title,
                        credits=spec.credits,
                        kind=spec.kind,
                        origin=spec.origin,
                    )
                    for spec in write
                ],
                update_conflicts=True,
                unique_fields=conflict_target(CoursePolicy, ["course_key"]),
                update_fields=["title", "credits", "kind", "origin", "updated_at"],
            )
            written = CoursePolicy.objects.filter(course_key__in=[s.course_key for s in write])
            _audit_policies(who, list(written), {s.course_key for s in write} - set(stored))
    return created


# --- assignments -------------------------------------------------------------------------


def _clean_assignment(spec: AssignmentSpec) -> AssignmentSpec:
    return AssignmentSpec(
        user_id=spec.user_id,
        course_key=_course_key(spec.course_key),
        due_at=_aware(spec.due_at, "due_at"),
        source=_choice(spec.source, AssignmentSource, "source"),
        assigned_at=None if spec.assigned_at is None else _aware(spec.assigned_at, "assigned_at"),
    )


def assign_bulk(specs: Sequence[AssignmentSpec], *, actor=None) -> int:
    """Assign courses with deadlines (P-14); returns how many assignments were created.

    An assignment already present under the same (learner, course, source) is left as it is,
    so a repeated import or a redelivered job changes nothing.
    """
    clean = [_clean_assignment(spec) for spec in specs]
    who = audit.resolve(actor)
    _check_users(spec.user_id for spec in clean)
    unique = {(s.user_id, s.course_key, s.source): s for s in clean}
    created = 0
    with transaction.atomic():
        for chunk in chunked(unique.values(), CHUNK_SIZE):
            existing = set(
                Assignment.objects.filter(
                    user_id__in={s.user_id for s in chunk},
                    course_key__in={s.course_key for s in chunk},
                ).values_list("user_id", "course_key", "source")
            )
            new = [s for s in chunk if (s.user_id, s.course_key, s.source) not in existing]
            now = timezone.now()
            # A concurrent writer may have taken a key since the SELECT (P-33).
            ours = insert_returning_ours(
                Assignment,
                [
                    Assignment(
                        user_id=s.user_id,
                        course_key=s.course_key,
                        due_at=s.due_at,
                        source=s.source,
                        assigned_at=s.assigned_at or now,
                        created_at=now,
                    )
                    for s in new
                ],
                ("user_id", "course_key", "source"),
                "created_at",
            )
            audit.record_bulk(
                who,
                "assignment.created",
                [
                    (
                        row,
                        {
                            "course_key": row.course_key,
                            "source_key": row.source,
                            "due_at": row.due_at,
                        },
                    )
                    for row in ours
                ],
            )
            created += len(ours)
    return created


def assign(
    user_id: int,
    course_key: str,
    due_at: datetime,
    source: str = AssignmentSource.HR,
    *,
    actor=None,
) -> bool:
    """Assign one course; True when the assignment is new."""
    return assign_bulk([AssignmentSpec(user_id, course_key, due_at, source)], actor=actor) == 1
