"""Tick job applying the job roles' assignment rules (P-14, P-15): the catch-up.

The org writers apply the rules when a person is hired or changes role or unit; this job
makes sure nothing is lost when one of those calls did not happen (a role changed by a data
load, a rule edited in the policy file, a host that was down): on every tick it

1. synchronises the policy file's rules into the database (all or nothing: a file naming
   an unknown role or course changes no rule, and the problems are in the job's summary);
2. applies the rules to every active learner, a chunk at a time (assigns, reassigns,
   withdraws);
3. enrols again every assignment the host has not confirmed;
4. queues the reminders of deadlines `assignments.reminder_days_before` days away.

Each step writes nothing when nothing changed, so the job is safe to run twice (P-33).
"""

from __future__ import annotations

import logging
from datetime import datetime

from elearn_plugin.core.batching import chunked
from elearn_plugin.courses import enrolments
from elearn_plugin.courses.assignment_apply import CHUNK_SIZE, apply_for_people
from elearn_plugin.courses.assignment_rules import (
    AssignmentRuleError,
    SyncReport,
    sync_policy_rules,
)
from elearn_plugin.courses.assignment_tasks import enqueue_reminders
from elearn_plugin.org.models import Person
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.tick.registry import register_job

log = logging.getLogger(__name__)


@register_job("courses.assignment_rules")
def assignment_rules_job(now: datetime) -> dict:
    """Sync the policy's rules, apply them to everyone, retry enrolments, queue reminders."""
    policy = get_policy()
    problems: list[str] = []
    try:
        synced = sync_policy_rules(policy, when=now)
    except AssignmentRuleError as exc:
        # The stored rules still stand; the problems name roles and courses, no person.
        synced, problems = SyncReport(), exc.problems
        log.warning("Policy assignment rules not synchronised: %s", " ".join(problems))
    totals: dict[str, int] = {}
    ids = list(
        Person.objects.filter(status=Person.ACTIVE)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    # One transaction per chunk: a big organisation never holds one long transaction.
    for chunk in chunked(ids, CHUNK_SIZE):
        report = apply_for_people(chunk, when=now)
        for name, value in report.as_dict().items():
            totals[name] = totals.get(name, 0) + value
    retried = enrolments.retry_unconfirmed(when=now)
    reminders = enqueue_reminders(now, policy=policy)
    result = {
        "rules_created": synced.created,
        "rules_updated": synced.updated,
        "rules_deactivated": synced.deactivated,
        "rules_problems": problems,
        **totals,
        "enrolment_retried": retried.enrolled + retried.already + retried.failed,
        "enrolment_failed": retried.failed + retried.invalid,
        "reminders": reminders,
    }
    log.info("Assignment rules: %s", result)
    return result
