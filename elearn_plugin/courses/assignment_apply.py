"""Turning job roles into assignments: `apply_for_people` (P-14), set-based, in chunks.

For each learner given, the active rules of their *current* job role say which courses they
must take. A required course without an assignment of source `job_role` is assigned through
`courses.services.assign_bulk`; one withdrawn earlier (the learner left the role and came
back) is assigned again; an open `job_role` assignment that no rule of the current role
requires any more is withdrawn (`role_changed`) unless the course is completed. Assignments
of other sources (HR, import, the learner's own electives) are never touched here: the same
course through two sources stays two rows and is one task (`assignment_tasks.tasks_due`).

Safe inside the caller's transaction (the org writers call it from theirs): every database
write happens in it, and the host enrolment is registered with `transaction.on_commit`, so a
rolled-back hire enrols nobody. The number of queries depends on the number of chunks and of
rules, never on the number of learners.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from elearn_plugin import audit
from elearn_plugin.core.batching import chunked
from elearn_plugin.courses import enrolments, services
from elearn_plugin.courses.models import (
    Assignment,
    AssignmentRule,
    AssignmentSource,
    CourseCompletion,
)
from elearn_plugin.courses.validation import CourseDataError, _aware
from elearn_plugin.org.models import Person
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.policy.schema import Policy

CHUNK_SIZE = 500
ROLE_CHANGED = "role_changed"
JOB_ROLE = AssignmentSource.JOB_ROLE


@dataclass
class ApplyReport:
    """Counts of what one call changed (no personal data: it may be logged)."""

    people: int = 0  # active learners whose role has rules or who hold job-role assignments
    assigned: int = 0
    reinstated: int = 0
    withdrawn: int = 0
    expired: int = 0  # required, but the rule's due date has passed: not assigned
    already_completed: int = 0  # required, but completed before: not assigned
    to_enrol: list[tuple[int, str]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, int]:
        return {
            "people": self.people,
            "assigned": self.assigned,
            "reinstated": self.reinstated,
            "withdrawn": self.withdrawn,
            "expired": self.expired,
            "already_completed": self.already_completed,
            "enrolments_scheduled": len(self.to_enrol),
        }


def today_in(policy: Policy, now: datetime | None = None) -> date:
    """The date in the policy's time zone: a `due_on` is a day there."""
    return (now or timezone.now()).astimezone(policy.tz).date()


def due_at_of(rule: AssignmentRule, assigned_at: datetime, policy: Policy) -> datetime:
    """The deadline a rule gives: the end of `due_on` in the policy's zone (the next
    midnight, as the data file reads a `due` date), or `due_days` after the assignment."""
    if rule.due_on is not None:
        return datetime.combine(rule.due_on + timedelta(days=1), time.min, tzinfo=policy.tz)
    return assigned_at + timedelta(days=rule.due_days)


def apply_for_role(role_id: int, *, actor=None, when: datetime | None = None) -> ApplyReport:
    """`apply_for_people` for every active learner of one job role (a rule changed)."""
    ids = Person.objects.filter(job_role_id=role_id, status=Person.ACTIVE).values_list(
        "user_id", flat=True
    )
    return apply_for_people(list(ids), actor=actor, when=when)


def apply_for_people(
    user_ids: Iterable[int], *, actor=None, when: datetime | None = None
) -> ApplyReport:
    """Bring the learners' `job_role` assignments in line with their current role's rules.

    Learners without a Person row, and departed ones (their records are archived, P-7), are
    left as they are. A person without a job role has no required course. Returns counts;
    the enrolment of what was assigned runs after the transaction commits.
    """
    who = audit.resolve(actor)
    now = timezone.now() if when is None else _aware(when, "when")
    given = list(user_ids)
    if any(isinstance(uid, bool) or not isinstance(uid, int) for uid in given):
        raise CourseDataError("user ids must be integers")
    ids = sorted(set(given))
    report = ApplyReport()
    if not ids:
        return report
    policy = get_policy()
    rules: dict[int, dict[str, AssignmentRule]] | None = None
    # No savepoint: the org writers call this inside their transaction, and a failure here
    # must undo their change too (an assignment never exists without its cause, and back).
    with transaction.atomic(savepoint=False):
        for chunk in chunked(ids, CHUNK_SIZE):
            people = _people_with_work(chunk)
            report.people += len(people)
            if not people:
                continue
            if rules is None:
                rules = _rules_by_role(now, policy)
            _apply_chunk(people, rules, now, policy, who, report)
        if report.to_enrol:
            enrolments.enrol_after_commit(report.to_enrol, who)
    return report


def _people_with_work(chunk: list[int]) -> dict[int, int | None]:
    """Active learners of the chunk whose role has rules or who hold open job-role
    assignments, with their role: one query, and the only one when nobody has either."""
    rules = AssignmentRule.objects.filter(active=True, job_role_id=OuterRef("job_role_id"))
    held = Assignment.objects.filter(
        user_id=OuterRef("user_id"), source=JOB_ROLE, withdrawn_at__isnull=True
    )
    return dict(
        Person.objects.filter(user_id__in=chunk, status=Person.ACTIVE)
        .annotate(ruled=Exists(rules), held=Exists(held))
        .filter(Q(ruled=True) | Q(held=True))
        .values_list("user_id", "job_role_id")
    )


def _rules_by_role(now: datetime, policy: Policy) -> dict[int, dict[str, AssignmentRule]]:
    """Active rules: role -> course -> rule; of a policy and an HR rule for the same role
    and course, the one whose deadline comes first is used (the stricter one)."""
    by_role: dict[int, dict[str, list[AssignmentRule]]] = defaultdict(lambda: defaultdict(list))
    for rule in AssignmentRule.objects.filter(active=True).order_by("pk"):
        by_role[rule.job_role_id][rule.course_key].append(rule)
    return {
        role: {
            key: min(found, key=lambda rule: (due_at_of(rule, now, policy), rule.pk))
            for key, found in courses.items()
        }
        for role, courses in by_role.items()
    }


def _apply_chunk(
    people: dict[int, int | None],
    rules: dict[int, dict[str, AssignmentRule]],
    now: datetime,
    policy: Policy,
    who: audit.Actor,
    report: ApplyReport,
) -> None:
    completed = set(
        CourseCompletion.objects.filter(user_id__in=people).values_list("user_id", "course_key")
    )
    rows: dict[tuple[int, str], tuple[int, datetime | None, datetime | None]] = {
        (user_id, key): (pk, withdrawn_at, enrolled_at)
        for pk, user_id, key, withdrawn_at, enrolled_at in Assignment.objects.select_for_update()
        .filter(user_id__in=people, source=JOB_ROLE)
        .values_list("pk", "user_id", "course_key", "withdrawn_at", "enrolled_at")
    }
    new: dict[int, list[int]] = defaultdict(list)  # rule id -> learners
    again: dict[int, list[int]] = defaultdict(list)  # rule id -> withdrawn rows to reopen
    by_id: dict[int, AssignmentRule] = {}
    for user_id, role_id in people.items():
        for key, rule in rules.get(role_id, {}).items():
            row = rows.get((user_id, key))
            if row is not None and row[1] is None:
                continue  # open already
            if (user_id, key) in completed:
                report.already_completed += 1
                continue
            if due_at_of(rule, now, policy) <= now:
                report.expired += 1
                continue
            by_id[rule.pk] = rule
            if row is None:
                new[rule.pk].append(user_id)
            else:
                again[rule.pk].append(row[0])
                if row[2] is None:
                    report.to_enrol.append((user_id, key))
    _assign(new, by_id, now, policy, who, report)
    _reinstate(again, by_id, now, policy, who, report)
    stale = [
        pk
        for (user_id, key), (pk, withdrawn_at, _enrolled) in rows.items()
        if withdrawn_at is None
        and key not in rules.get(people[user_id], {})
        and (user_id, key) not in completed
    ]
    report.withdrawn += withdraw(stale, ROLE_CHANGED, who=who, when=now)


def _assign(new, by_id, now, policy, who, report) -> None:
    specs = [
        services.AssignmentSpec(
            user_id=user_id,
            course_key=by_id[rule_id].course_key,
            due_at=due_at_of(by_id[rule_id], now, policy),
            source=JOB_ROLE,
            assigned_at=now,
        )
        for rule_id, users in new.items()
        for user_id in users
    ]
    if not specs:
        return
    report.assigned += services.assign_bulk(specs, actor=who)
    for rule_id, users in new.items():
        # assign_bulk knows no rules: name the rule on the rows just written.
        Assignment.objects.filter(
            user_id__in=users,
            course_key=by_id[rule_id].course_key,
            source=JOB_ROLE,
            rule__isnull=True,
            withdrawn_at__isnull=True,
        ).update(rule_id=rule_id)
        report.to_enrol.extend((user_id, by_id[rule_id].course_key) for user_id in users)


def _reinstate(again, by_id, now, policy, who, report) -> None:
    """Reopen withdrawn rows (the natural key allows one per learner, course and source)."""
    events = []
    for rule_id, pks in again.items():
        rule = by_id[rule_id]
        due_at = due_at_of(rule, now, policy)
        count = Assignment.objects.filter(pk__in=pks, withdrawn_at__isnull=False).update(
            withdrawn_at=None,
            withdrawn_reason_code="",
            due_at=due_at,
            assigned_at=now,
            rule_id=rule_id,
        )
        report.reinstated += count
        events += [
            (
                audit.target_of(Assignment, pk),
                {"course_key": rule.course_key, "source_key": JOB_ROLE, "due_at": due_at},
            )
            for pk in pks
        ]
    if events:
        audit.record_bulk(who, "assignment.created", events)


def withdraw(
    assignment_ids: Iterable[int], reason_code: str, *, who: audit.Actor, when: datetime
) -> int:
    """Withdraw open assignments (a withdrawn one is never a task, never a miss); returns how
    many. Runs in the caller's transaction; one UPDATE and one audit INSERT per chunk."""
    withdrawn = 0
    for chunk in chunked(sorted(set(assignment_ids)), CHUNK_SIZE):
        rows = list(
            Assignment.objects.select_for_update()
            .filter(pk__in=chunk, withdrawn_at__isnull=True)
            .values_list("pk", "course_key")
        )
        if not rows:
            continue
        Assignment.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            withdrawn_at=when, withdrawn_reason_code=reason_code
        )
        audit.record_bulk(
            who,
            "assignment.withdrawn",
            [
                (audit.target_of(Assignment, pk), {"course_key": key, "reason_code": reason_code})
                for pk, key in rows
            ],
        )
        withdrawn += len(rows)
    return withdrawn
