"""The only writers of assignment rules: job role -> required course, with a due rule (P-14).

Rules come from two places. The policy file's `assignments.rules` are synchronised into rows
of origin `policy` by the tick job (a rule no longer in the file becomes inactive, so the
admin and the audit trail keep its history); HR adds rules of origin `hr` in the admin, through
`save_rule` / `remove_rule`. Both are read the same way by `apply_for_people`, which turns the
rules of each learner's current job role into assignments (ADR 0011).

Bad input changes nothing: a rule naming a job role or a course the site does not know, an
elective, or a `due_on` already past is refused with every problem listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.courses.assignment_apply import (  # noqa: F401 - the writers of ADR 0001
    ApplyReport,
    apply_for_people,
    apply_for_role,
    due_at_of,
    today_in,
)
from elearn_plugin.courses.assignment_tasks import Task, tasks_due  # noqa: F401
from elearn_plugin.courses.models import AssignmentRule, CourseKind, CoursePolicy
from elearn_plugin.courses.validation import CourseDataError, _course_key
from elearn_plugin.org.models import JobRole
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.policy.schema import Policy, RoleCourseRule

POLICY = AssignmentRule.Origin.POLICY
HR = AssignmentRule.Origin.HR


class AssignmentRuleError(CourseDataError):
    """A rule that cannot be saved; `problems` lists every reason, nothing was written."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(" ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class SyncReport:
    """What synchronising the policy file's rules changed."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0


# --- checks --------------------------------------------------------------------------------


def _check_due(due_on: object, due_days: object) -> list[str]:
    if (due_on is None) == (due_days is None):
        return [_("Give exactly one due rule: a date, or a number of days after assignment.")]
    if due_days is not None and (
        isinstance(due_days, bool) or not isinstance(due_days, int) or due_days < 1
    ):
        return [_("The number of days after assignment must be a whole number of at least 1.")]
    if due_on is not None and (not isinstance(due_on, date) or isinstance(due_on, datetime)):
        return [_("The due date must be a date.")]
    return []


def _check_references(
    wanted: Iterable[tuple[str, str]],
) -> tuple[dict[str, JobRole], list[str]]:
    """The roles by code, and a problem for each unknown role, unknown or elective course."""
    wanted = list(wanted)
    codes = {code for code, _ in wanted}
    keys = {key for _, key in wanted}
    roles = {role.code: role for role in JobRole.objects.filter(code__in=codes)}
    kinds = dict(CoursePolicy.objects.filter(course_key__in=keys).values_list("course_key", "kind"))
    problems = [
        _('Unknown job role "%(role)s".') % {"role": code} for code in sorted(codes - set(roles))
    ]
    for key in sorted(keys):
        if key not in kinds:
            problems.append(
                _('Unknown course "%(course)s": add its course policy first.') % {"course": key}
            )
        elif kinds[key] != CourseKind.REQUIRED:
            problems.append(
                _('The course "%(course)s" is an elective: only required courses are assigned.')
                % {"course": key}
            )
    return roles, problems


def _past(due_on: date | None, today: date) -> bool:
    return due_on is not None and due_on < today


def _saved_data(row: AssignmentRule, role_code: str, created: bool) -> dict:
    return {
        "role_code": role_code,
        "course_key": row.course_key,
        "due_on": row.due_on,
        "due_days": row.due_days,
        "origin_code": row.origin,
        "created": created,
    }


# --- HR's rules ----------------------------------------------------------------------------


def check_rule(
    role_code: str,
    course_key: str,
    *,
    due_on: date | None = None,
    due_days: int | None = None,
    when: datetime | None = None,
) -> tuple[str, list[str]]:
    """(canonical course key, problems) of an HR rule, without writing: the admin's form
    shows the problems next to the fields."""
    problems = _check_due(due_on, due_days)
    try:
        key = _course_key(course_key)
    except CourseDataError as exc:
        return "", [*problems, str(exc)]
    if not problems and _past(due_on, today_in(get_policy(), when)):
        problems.append(_("The due date %(day)s is in the past.") % {"day": due_on.isoformat()})
    _roles, missing = _check_references([(role_code, key)])
    return key, [*problems, *missing]


def save_rule(
    role_code: str,
    course_key: str,
    *,
    due_on: date | None = None,
    due_days: int | None = None,
    actor=None,
    when: datetime | None = None,
) -> tuple[AssignmentRule, bool]:
    """Create, change or re-activate one of HR's rules; returns (rule, created).

    The role's learners get the course at once (same transaction; enrolment after commit).
    A due date before today (policy zone) is refused: it would make a miss of every new task.
    """
    now = when or timezone.now()
    key, problems = check_rule(role_code, course_key, due_on=due_on, due_days=due_days, when=now)
    if problems:
        raise AssignmentRuleError(problems)
    role = JobRole.objects.get(code=role_code)
    who = audit.resolve(actor)
    with transaction.atomic():
        row = (
            AssignmentRule.objects.select_for_update()
            .filter(job_role=role, course_key=key, origin=HR)
            .first()
        )
        created = row is None
        if created:
            row = AssignmentRule.objects.create(
                job_role=role, course_key=key, due_on=due_on, due_days=due_days, origin=HR
            )
        elif (row.due_on, row.due_days, row.active) != (due_on, due_days, True):
            row.due_on, row.due_days, row.active = due_on, due_days, True
            row.save(update_fields=["due_on", "due_days", "active", "updated_at"])
        else:
            return row, False
        audit.record(who, "assignment_rule.saved", row, _saved_data(row, role.code, created))
        apply_for_role(role.pk, actor=who, when=now)
    return row, created


def remove_rule(rule_id: int, *, actor=None, when: datetime | None = None) -> bool:
    """Deactivate one of HR's rules; True if it was active.

    The row stays (assignments keep naming their rule); learners' open assignments that no
    other rule of their role requires are withdrawn, unless completed. A rule of the policy
    file is removed by editing the file.
    """
    who = audit.resolve(actor)
    now = when or timezone.now()
    with transaction.atomic():
        row = (
            AssignmentRule.objects.select_for_update()
            .select_related("job_role")
            .filter(pk=rule_id)
            .first()
        )
        if row is None:
            raise AssignmentRuleError([_("Unknown assignment rule.")])
        if row.origin != HR:
            raise AssignmentRuleError([_("This rule comes from the policy file: remove it there.")])
        if not row.active:
            return False
        row.active = False
        row.save(update_fields=["active", "updated_at"])
        audit.record(
            who,
            "assignment_rule.removed",
            row,
            {"role_code": row.job_role.code, "course_key": row.course_key, "origin_code": HR},
        )
        apply_for_role(row.job_role_id, actor=who, when=now)
    return True


# --- the policy file's rules ---------------------------------------------------------------


def sync_policy_rules(
    policy: Policy | None = None, *, actor=None, when: datetime | None = None
) -> SyncReport:
    """Make the `policy` rows match the file's `assignments.rules`; all or nothing.

    An unchanged rule whose `due_on` has passed is kept (the file was valid when written);
    a new or changed one with a past date is refused, as in the admin.
    """
    policy = policy or get_policy()
    now = when or timezone.now()
    today = today_in(policy, now)
    wanted: dict[tuple[str, str], RoleCourseRule] = {
        (rule.role, rule.course_key): rule for rule in policy.assignments.rules
    }
    roles, problems = _check_references(wanted)
    stored = {
        (row.job_role.code, row.course_key): row
        for row in AssignmentRule.objects.filter(origin=POLICY).select_related("job_role")
    }
    for (code, key), rule in wanted.items():
        row = stored.get((code, key))
        changed = row is None or (row.due_on, row.due_days) != (rule.due_on, rule.due_days)
        if changed and _past(rule.due_on, today):
            problems.append(
                _(
                    "assignments.rules: role %(role)s, course %(course)s:"
                    " the due date %(day)s is in the past."
                )
                % {"role": code, "course": key, "day": rule.due_on.isoformat()}
            )
    if problems:
        raise AssignmentRuleError(problems)
    who = audit.resolve(actor)
    created = updated = deactivated = 0
    with transaction.atomic():
        for (code, key), rule in wanted.items():
            row = stored.get((code, key))
            if row is None:
                row = AssignmentRule.objects.create(
                    job_role=roles[code],
                    course_key=key,
                    due_on=rule.due_on,
                    due_days=rule.due_days,
                    origin=POLICY,
                )
                created += 1
                audit.record(who, "assignment_rule.saved", row, _saved_data(row, code, True))
            elif (row.due_on, row.due_days, row.active) != (rule.due_on, rule.due_days, True):
                row.due_on, row.due_days, row.active = rule.due_on, rule.due_days, True
                row.save(update_fields=["due_on", "due_days", "active", "updated_at"])
                updated += 1
                audit.record(who, "assignment_rule.saved", row, _saved_data(row, code, False))
        gone = [row for k, row in stored.items() if k not in wanted and row.active]
        if gone:
            AssignmentRule.objects.filter(pk__in=[row.pk for row in gone]).update(
                active=False, updated_at=now
            )
            deactivated = len(gone)
            audit.record_bulk(
                who,
                "assignment_rule.removed",
                [
                    (
                        row,
                        {
                            "role_code": row.job_role.code,
                            "course_key": row.course_key,
                            "origin_code": POLICY,
                        },
                    )
                    for row in gone
                ],
            )
    return SyncReport(created, updated, deactivated)
