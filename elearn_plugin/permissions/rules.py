"""The rule table (P-31): which roles may do an action, and how far each role reaches.

Later capabilities add their own actions with `register`.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    HR = "hr"
    TRAINING_CONTACT = "training_contact"
    REVIEWER = "reviewer"
    PUBLISHER = "publisher"
    LEARNER = "learner"
    AUDIT_CENTRE = "audit_centre"  # the audit and supervision centre (P-5)


class Scope(enum.StrEnum):
    ALL = "all"  # anyone, anything
    UNIT = "unit"  # learners and units in the contact's units (with subtrees)
    SELF = "self"  # the user's own records only
    COURSE = "course"  # courses the user publishes (all of them for the publisher group)


class Action(enum.StrEnum):
    VIEW_OWN_RECORDS = "view_own_records"
    VIEW_UNIT_RECORDS = "view_unit_records"
    VIEW_ALL_RECORDS = "view_all_records"
    MANAGE_SANCTIONS = "manage_sanctions"
    LIFT_SANCTION = "lift_sanction"
    PROVISION_ACCOUNTS = "provision_accounts"
    GRANT_LEARNING_SLOT = "grant_learning_slot"
    VIEW_HEALTH = "view_health"
    SWITCH_LEARNING = "switch_learning"
    REVIEW_COURSE = "review_course"
    PUBLISH_COURSE = "publish_course"
    REPORT_WATCH = "report_watch"
    ALLOCATE_SEATS = "allocate_seats"
    MANAGE_LIFECYCLE = "manage_lifecycle"
    VIEW_REFERRALS = "view_referrals"
    CONTRIBUTE = "contribute"
    REMIND_LEARNER = "remind_learner"
    VIEW_TEACHING = "view_teaching"
    RATE_SESSION = "rate_session"
    GIVE_FEEDBACK = "give_feedback"
    MANAGE_FEEDBACK = "manage_feedback"
    ANSWER_COURSE_FEEDBACK = "answer_course_feedback"
    FAMILY_LINKS = "family_links"


# action value -> {role: scope}
_RULES: dict[str, dict[Role, Scope]] = {}


def register(action: enum.Enum | str, rules: dict[Role, Scope], *, replace: bool = False) -> None:
    """Declare which roles may do an action and how far; an action is declared once."""
    key = action_key(action)
    if key in _RULES and not replace:
        raise ValueError(f"permission rule for {key!r} is already registered")
    if not rules or not all(isinstance(r, Role) and isinstance(s, Scope) for r, s in rules.items()):
        raise ValueError(f"permission rule for {key!r} must map Role to Scope")
    _RULES[key] = dict(rules)


def rules_for(action: enum.Enum | str) -> dict[Role, Scope]:
    """The registered rule (a copy), for documentation pages and tests."""
    return dict(_RULES.get(action_key(action), {}))


def rule_of(action: enum.Enum | str) -> dict[Role, Scope] | None:
    """The registered rule itself (not a copy), or None: for `check`."""
    return _RULES.get(action_key(action))


def action_key(action: enum.Enum | str) -> str:
    return action.value if isinstance(action, enum.Enum) else str(action)


register(Action.VIEW_OWN_RECORDS, {Role.LEARNER: Scope.SELF, Role.HR: Scope.ALL})
register(Action.VIEW_UNIT_RECORDS, {Role.TRAINING_CONTACT: Scope.UNIT, Role.HR: Scope.ALL})
register(Action.VIEW_ALL_RECORDS, {Role.HR: Scope.ALL})
register(Action.MANAGE_SANCTIONS, {Role.HR: Scope.ALL})
register(Action.LIFT_SANCTION, {Role.HR: Scope.ALL})
register(Action.PROVISION_ACCOUNTS, {Role.HR: Scope.ALL, Role.TRAINING_CONTACT: Scope.UNIT})
register(Action.GRANT_LEARNING_SLOT, {Role.TRAINING_CONTACT: Scope.UNIT, Role.HR: Scope.ALL})
register(Action.VIEW_HEALTH, {Role.HR: Scope.ALL})
register(Action.SWITCH_LEARNING, {Role.HR: Scope.ALL})
register(Action.REVIEW_COURSE, {Role.REVIEWER: Scope.ALL, Role.HR: Scope.ALL})
register(Action.PUBLISH_COURSE, {Role.PUBLISHER: Scope.COURSE})
register(Action.REPORT_WATCH, {Role.LEARNER: Scope.SELF})
# P-2: HR sets pools; a contact reaches their units, `seats.services` lets only leads allocate.
register(Action.ALLOCATE_SEATS, {Role.HR: Scope.ALL, Role.TRAINING_CONTACT: Scope.UNIT})
# P-6, P-7: transfers, departures, re-hires and the roster sync are HR's.
register(Action.MANAGE_LIFECYCLE, {Role.HR: Scope.ALL})
# P-5: referrals of illegal content go to the audit and supervision centre; HR reads them too.
register(Action.VIEW_REFERRALS, {Role.AUDIT_CENTRE: Scope.ALL, Role.HR: Scope.ALL})
# P-12: a learner contributes and reads their own contributions; reviewers and HR read all.
register(
    Action.CONTRIBUTE,
    {Role.LEARNER: Scope.SELF, Role.REVIEWER: Scope.ALL, Role.HR: Scope.ALL},
)
# P-28: the unit reminds those behind: a contact their own units' learners, HR anyone.
register(Action.REMIND_LEARNER, {Role.TRAINING_CONTACT: Scope.UNIT, Role.HR: Scope.ALL})
# P-27, P-30: HR supervises teaching; an instructor with an account reads their own history.
register(Action.VIEW_TEACHING, {Role.HR: Scope.ALL, Role.LEARNER: Scope.SELF})
# P-30: a learner rates what they attended or completed (the service checks which).
register(Action.RATE_SESSION, {Role.LEARNER: Scope.SELF})
# P-29: a learner sends requests, feedback and complaints and answers surveys (their own);
# HR reads and answers every item and runs the surveys; a course team answers the items
# about its courses' content and material.
register(Action.GIVE_FEEDBACK, {Role.LEARNER: Scope.SELF})
register(Action.MANAGE_FEEDBACK, {Role.HR: Scope.ALL})
register(Action.ANSWER_COURSE_FEEDBACK, {Role.HR: Scope.ALL, Role.PUBLISHER: Scope.COURSE})
# P-35: a learner gives their own family a link to their report; HR does it for any learner.
register(Action.FAMILY_LINKS, {Role.LEARNER: Scope.SELF, Role.HR: Scope.ALL})
