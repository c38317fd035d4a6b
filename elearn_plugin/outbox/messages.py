"""The message types the plugin sends, each an edx-ace MessageType with five templates.

Templates live at `elearn_plugin/edx_ace/<name>/email/{from_name.txt, subject.txt, body.txt,
body.html, head.html}`; edx-ace drops a message silently when one is missing, so the test
suite checks every registered type for the complete set.
"""

from __future__ import annotations

from django.conf import settings

from elearn_plugin.conf import setting
from elearn_plugin.host.ace import AceMessageType as _AceMessageType

APP_LABEL = "elearn_plugin"
TEMPLATE_FILES = ("from_name.txt", "subject.txt", "body.txt", "body.html", "head.html")
MESSAGE_TYPES: dict[str, type[ElearnMessageType]] = {}


class UnknownMessageType(ValueError):
    """A message type that is not registered; nothing was written."""


class ElearnMessageType(_AceMessageType):
    """Base of the plugin's messages: transactional, from the configured sender address."""

    APP_LABEL = APP_LABEL
    # Keys the context must hold for the templates to make sense.
    required_context: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options["transactional"] = True
        sender = setting("ELEARN_MESSAGE_FROM") or getattr(settings, "DEFAULT_FROM_EMAIL", "")
        if sender and "from_address" not in self.options:
            self.options["from_address"] = sender


def register(cls: type[ElearnMessageType]) -> type[ElearnMessageType]:
    """Add a message type to the registry (its NAME is the outbox `message_type`)."""
    if not cls.NAME:
        raise ValueError(f"{cls.__name__} has no NAME")
    MESSAGE_TYPES[cls.NAME] = cls
    return cls


def get_message_type(name: str) -> type[ElearnMessageType]:
    """The registered type called `name`; `UnknownMessageType` otherwise."""
    try:
        return MESSAGE_TYPES[name]
    except (KeyError, TypeError):
        raise UnknownMessageType(
            f"unknown message type {name!r}; known types: {sorted(MESSAGE_TYPES)}"
        )


def template_paths(name: str) -> list[str]:
    """The five template names edx-ace loads for an email of this type."""
    return [f"{APP_LABEL}/edx_ace/{name}/email/{file}" for file in TEMPLATE_FILES]


@register
class QuotaWarning(ElearnMessageType):
    """P-21: fewer required courses completed in a month than the quota."""

    NAME = "quota_warning"
    required_context = ("period", "completed", "required")


@register
class TaskSuspension(ElearnMessageType):
    """P-22: too many assigned tasks missed in a month; the account is suspended."""

    NAME = "task_suspension"
    required_context = ("period", "missed", "ends_on")


@register
class Revocation(ElearnMessageType):
    """P-23: months with missed tasks revoke the account until HR approves an application."""

    NAME = "revocation"
    required_context = ("months",)


@register
class SharingFlag(ElearnMessageType):
    """P-4: account sharing was detected."""

    NAME = "sharing_flag"
    required_context = ("detected_on",)


@register
class AccountFrozen(ElearnMessageType):
    """P-7: the account is frozen after departure; records are kept."""

    NAME = "account_frozen"
    required_context = ()


@register
class TransferHandover(ElearnMessageType):
    """P-6: to the training contacts of the units left and joined, and to HR: the learners
    of one transfer batch that concern the recipient (`learners`: name, from_unit, to_unit)."""

    NAME = "transfer_handover"
    required_context = ("learners", "count", "more", "effective_on")


@register
class MonthlyProgress(ElearnMessageType):
    """P-28: to a training contact, the month's progress of the unit's learners."""

    NAME = "monthly_progress"
    required_context = ("period", "unit", "learners", "behind", "link")


@register
class MonthlySummary(ElearnMessageType):
    """P-28: to HR, the organisation's month once it is closed, with the dashboard's link."""

    NAME = "monthly_summary"
    required_context = ("period", "learners", "at_quota", "warnings", "suspensions", "link")


@register
class ProgressReminder(ElearnMessageType):
    """P-28: the learner's training contact reminds them that they are behind this month."""

    NAME = "progress_reminder"
    required_context = ("period", "completed", "required", "overdue")


@register
class AssignmentDueReminder(ElearnMessageType):
    """P-14, P-15: an assigned course or a followed elective is due in a few days."""

    NAME = "assignment_due_reminder"
    required_context = ("course_key", "course_title", "due_on")


@register
class ReinstatementLink(ElearnMessageType):
    """P-8, P-23: the one-time link to the application form, to a revoked or frozen account."""

    NAME = "reinstatement_link"
    required_context = ("link", "expires_at")


@register
class ReinstatementApproved(ElearnMessageType):
    """P-8: HR approved the application; the account is open again."""

    NAME = "reinstatement_approved"
    required_context = ("applied_on",)


@register
class ReinstatementRejected(ElearnMessageType):
    """P-8: HR rejected the application, with the reason the learner reads."""

    NAME = "reinstatement_rejected"
    required_context = ("applied_on", "reason")


@register
class ReviewDecided(ElearnMessageType):
    """P-10, P-11: HR decided on content the recipient submitted for review."""

    NAME = "review_decided"
    required_context = ("title", "state", "reason")


@register
class IllegalContentReferralMessage(ElearnMessageType):
    """P-5: to the audit and supervision centre: content marked illegal, with the evidence."""

    NAME = "illegal_content_referral"
    required_context = ("referral_id", "title", "target_key", "description")


@register
class ContributionAwarded(ElearnMessageType):
    """P-12: the recipient's contribution was among the best of a judging."""

    NAME = "contribution_awarded"
    required_context = ("title", "round", "rank", "points", "prize")


@register
class FeedbackAnswered(ElearnMessageType):
    """P-29: HR (or the course team) answered the recipient's request, feedback or complaint."""

    NAME = "feedback_answered"
    required_context = ("kind", "sent_on", "answer", "page_url")


@register
class FeedbackRouted(ElearnMessageType):
    """P-29: to a course team member: a learner wrote about the course's content or material."""

    NAME = "feedback_routed"
    required_context = ("kind", "about", "course_key", "due_on", "inbox_url")
