"""The only writer of course completions (P-17, P-20): recorded once, credited once.

Completions recorded here are the ones rules and reports read: verified by this plugin or
imported from HR's records. Each credits the course's credits to the ledger, keyed
`completion:<course_key>`, so a replay credits nothing twice (P-33).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.upsert import insert_returning_ours
from elearn_plugin.courses.models import CompletionSource, CourseCompletion, CoursePolicy
from elearn_plugin.courses.validation import _aware, _check_users, _choice, _course_key

CHUNK_SIZE = 500
CREDIT_SOURCE_PREFIX = "completion:"


def credit_source_key(course_key: str) -> str:
    """The ledger key of the credits a completion earns; one per learner and course."""
    return f"{CREDIT_SOURCE_PREFIX}{course_key}"


@dataclass(frozen=True)
class CompletionSpec:
    user_id: int
    course_key: str
    completed_at: datetime
    source: str = CompletionSource.VERIFIED


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
