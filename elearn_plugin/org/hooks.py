"""What the org writers tell the courses domain: these people were hired or changed role or unit.

Required courses follow the job role (P-14): when a person is hired, changes job role or
changes unit, `elearn_plugin.courses.assignment_rules.apply_for_people` assigns the role's
courses and withdraws stale ones. The org writers call it once per call with every affected
learner (never once per learner), inside their transaction, so an assignment never exists
without the change that caused it (its host enrolment happens after commit, on the courses
side). The import is made when called: the org domain does not import courses when loaded
(courses imports org, and permissions imports org's queries).

The writers pass no `when`: the assignments are made now, when the change is recorded, and
their due dates run from now, also for a move or a hire dated in the past (a backdated
transfer must not give the learner a deadline that has passed already).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def apply_assignment_rules(
    user_ids: Iterable[int], *, actor: object = None, when: datetime | None = None
) -> None:
    """Apply the job roles' assignment rules to `user_ids` (nothing when there are none).

    `actor` is the writer's resolved actor, passed on so that the assignments carry it;
    `when` None: now (see above).
    """
    ids = sorted({int(uid) for uid in user_ids})
    if not ids:
        return
    from elearn_plugin.courses.assignment_rules import apply_for_people  # noqa: PLC0415

    apply_for_people(ids, actor=actor, when=when)
