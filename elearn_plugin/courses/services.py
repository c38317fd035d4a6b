"""The only writers of course policies, assignments and completions (ADR 0001).

Completions recorded here are the ones rules and reports read (P-17): either verified by
this plugin (every tracked video watched to the end and the assessment passed) or imported
from HR's records. The host's BlockCompletion is forgeable by learners and never read here.
Each completion also credits the course's credits to the ledger, keyed
`completion:<course_key>`, so a replay credits nothing twice (P-20, P-33).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.core.upsert import conflict_target, insert_returning_ours
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.courses.keys import parse_course_key
from elearn_plugin.courses.models import (
    Assignment,
    AssignmentSource,
    CompletionSource,
    CourseCompletion,
    CourseKind,
    CourseOrigin,
    CoursePolicy,
)

log = logging.getLogger(__name__)

CHUNK_SIZE = 500
CREDIT_SOURCE_PREFIX = "completion:"


class CourseDataError(ValueError):
    """Bad input to a courses service; nothing was written."""


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


@dataclass(frozen=True)
class CompletionSpec:
    user_id: int
    course_key: str
    completed_at: datetime
    source: str = CompletionSource.VERIFIED


def credit_source_key(course_key: str) -> str:
    """The ledger key of the credits a completion earns; one per learner and course."""
    return f"{CREDIT_SOURCE_PREFIX}{course_key}"


# --- validation -------------------------------------------------------------------------


def _aware(value: object, field: str) -> datetime:
    if not is_aware(value):
        raise CourseDataError(
            _("%(field)s must be a date and time with a time zone.") % {"field": field}
        )
    return value


def _course_key(value: object) -> str:
    try:
        return parse_course_key(value)
    except ValidationError as exc:
        raise CourseDataError(" ".join(exc.messages))


def _choice(value: object, choices, field: str) -> str:
    if value not in choices.values:
        raise CourseDataError(
            _("%(field)s must be one of: %(allowed)s.")
            % {"field": field, "allowed": ", ".join(choices.values)}
        )
    return str(value)


def _credits(value: object) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CourseDataError(_("Credits must be a number."))
    if not amount.is_finite() or amount < 0 or amount >= Decimal("10000"):
        raise CourseDataError(_("Credits must be between 0 and 9999.99."))
    return amount.quantize(Decimal("0.01"))


def _check_users(user_ids: Iterable[int]) -> None:
    ids = set(user_ids)
    if any(not isinstance(uid, int) or isinstance(uid, bool) for uid in ids):
        raise CourseDataError(_("A user id must be an integer."))
    missing = missing_user_ids(ids)
    if missing:
        raise CourseDataError(
            _("Unknown user ids: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)[:10]))}
        )


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


# --- completions -------------------------------------------------------------------------


def _clean_completion(spec: CompletionSpec) -> CompletionSpec:
    return CompletionSpec(
        user_id=spec.user_id,
        course_key=_course_key(spec.course_key),
        completed_at=_aware(spec.completed_at, "completed_at"),
        source=_choice(spec.source, CompletionSource, "source"),
    )


def _credit_completions(who: audit.Actor, rows: Sequence[tuple[int, str, datetime]]) -> int:
    """Ledger entries for stored completions; the ledger's key makes this safe to repeat."""
    from elearn_plugin.ledger import services as ledger  # noqa: PLC0415

    credits = dict(
        CoursePolicy.objects.filter(course_key__in={key for _, key, _ in rows}).values_list(
            "course_key", "credits"
        )
    )
    entries = [
        ledger.LedgerEntrySpec(
            user_id=user_id,
            kind=ledger.CREDIT,
            amount=credits[course_key],
            source_key=credit_source_key(course_key),
            occurred_at=completed_at,
            course_key=course_key,
        )
        for user_id, course_key, completed_at in rows
        if credits.get(course_key, Decimal("0")) > 0
    ]
    return ledger.add_entries_bulk(entries, actor=who) if entries else 0


def record_completions_bulk(specs: Sequence[CompletionSpec], *, actor=None) -> int:
    """Record completions and credit them (P-17, P-20); returns how many completions are new.

    A learner completes a course once: a second record for the same course keeps the first
    date. Credits come from the course's CoursePolicy at the time of completion; a course
    without a policy row (or with 0 credits) earns none.
    """
    clean = [_clean_completion(spec) for spec in specs]
    who = audit.resolve(actor)
    _check_users(spec.user_id for spec in clean)
    unique: dict[tuple[int, str], CompletionSpec] = {}
    for spec in clean:
        unique.setdefault((spec.user_id, spec.course_key), spec)
    created = 0
    with transaction.atomic():
        for chunk in chunked(unique.values(), CHUNK_SIZE):
            users = {s.user_id for s in chunk}
            keys = {s.course_key for s in chunk}
            existing = set(
                CourseCompletion.objects.filter(user_id__in=users, course_key__in=keys).values_list(
                    "user_id", "course_key"
                )
            )
            new = [s for s in chunk if (s.user_id, s.course_key) not in existing]
            now = timezone.now()
            ours = insert_returning_ours(
                CourseCompletion,
                [
                    CourseCompletion(
                        user_id=s.user_id,
                        course_key=s.course_key,
                        completed_at=s.completed_at,
                        source=s.source,
                        created_at=now,
                    )
                    for s in new
                ],
                ("user_id", "course_key"),
                "created_at",
            )
            audit.record_bulk(
                who,
                "completion.recorded",
                [(row, {"course_key": row.course_key, "source_code": row.source}) for row in ours],
            )
            created += len(ours)
            wanted = {(s.user_id, s.course_key) for s in chunk}
            stored = [
                row
                for row in CourseCompletion.objects.filter(
                    user_id__in=users, course_key__in=keys
                ).values_list("user_id", "course_key", "completed_at")
                if (row[0], row[1]) in wanted
            ]
            _credit_completions(who, stored)
    return created


def record_completion(
    user_id: int,
    course_key: str,
    completed_at: datetime,
    source: str = CompletionSource.VERIFIED,
    *,
    actor=None,
) -> bool:
    """Record one completion and its credits; True when the completion is new."""
    spec = CompletionSpec(user_id, course_key, completed_at, source)
    return record_completions_bulk([spec], actor=actor) == 1
