"""The single check every learning action calls first (P-8, P-34).

`learning_refusal` answers None when the user may study now, or a `Refusal` with a code for
programs and a translated message for people. A request that has already read the learner's
block (`block_of`) passes it on, so that the block is read once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin import killswitch
from elearn_plugin.l10n import display_tz
from elearn_plugin.standing.services import Block, active_block

REASON_LABELS = {
    "sharing": gettext_lazy("account sharing"),
    "missed_tasks": gettext_lazy("missed learning tasks"),
    "illegal_upload": gettext_lazy("illegal content uploaded"),
    "departure": gettext_lazy("departure from the organisation"),
    "quota_shortfall": gettext_lazy("fewer required courses completed than the monthly quota"),
    "missed_task_months": gettext_lazy("months with missed learning tasks"),
}
_CODES = {"suspension": "suspended", "revocation": "revoked", "freeze": "frozen"}


@dataclass(frozen=True)
class Refusal:
    code: str  # learning_off | not_authenticated | suspended | revoked | frozen
    message: str


def format_end(ends_at: datetime) -> str:
    """The end of a block in the policy's time zone, as `YYYY-MM-DD HH:MM (zone name)`.

    Read the same way in every language, with the zone named, since a learner may be
    elsewhere (P-8).
    """
    tz = display_tz()
    zone = getattr(tz, "key", None) or str(tz)
    return f"{timezone.localtime(ends_at, tz).strftime('%Y-%m-%d %H:%M')} ({zone})"


def reason_text(block: Block) -> str:
    """The reason a learner reads: the recorded text, else the label of its code, then the
    evidence that decided it (the tasks missed with their due dates, the months counted)."""
    if block.reason:
        reason = block.reason
    else:
        label = REASON_LABELS.get(block.reason_code)
        reason = str(label) if label is not None else block.reason_code
    facts = evidence_text(block.evidence)
    return f"{reason} ({facts})" if facts else reason


def deadline_text(value: object, tz=None) -> str:
    """A deadline of the evidence in the policy's zone (`tz`, read from the policy when not
    given): a local midnight is the end of the day before (a bare due date is stored so),
    shown as that date; other times as `YYYY-MM-DD HH:MM`."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return str(value)
    local = timezone.localtime(parsed, tz or display_tz())
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return (local.date() - timedelta(days=1)).isoformat()
    return local.strftime("%Y-%m-%d %H:%M")


def course_titles(keys: list[str]) -> dict[str, str]:
    """Course titles HR gave the courses, for the learner's message (one query)."""
    from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415

    return dict(CoursePolicy.objects.filter(course_key__in=keys).values_list("course_key", "title"))


def evidence_text(evidence: dict | None) -> str:
    """The facts of a month close's consequence in one line; empty for other sanctions."""
    if not isinstance(evidence, dict) or not evidence.get("period"):
        return ""
    period = str(evidence["period"])
    missed = evidence.get("missed") or []
    months = evidence.get("miss_months") or []
    parts = []
    if missed:
        missed = [m for m in missed if isinstance(m, dict)]
        titles = course_titles([str(m.get("course_key")) for m in missed])
        tasks = "; ".join(
            _("%(course)s due %(due)s")
            % {
                "course": titles.get(m.get("course_key")) or m.get("course_key"),
                "due": deadline_text(m.get("due_at")),
            }
            for m in missed
        )
        parts.append(_("missed in %(period)s: %(tasks)s") % {"period": period, "tasks": tasks})
    if len(months) > 1:
        parts.append(
            _("months with missed tasks: %(months)s") % {"months": ", ".join(map(str, months))}
        )
    if not parts and evidence.get("quota_required") is not None:
        parts.append(
            _("%(done)s of %(required)s required courses completed in %(period)s")
            % {
                "done": evidence.get("required_completed"),
                "required": evidence.get("quota_required"),
                "period": period,
            }
        )
    return "; ".join(parts)


def describe_block(block: Block) -> str:
    """One sentence telling the learner what happened, why and until when (P-8)."""
    reason = reason_text(block)
    if block.kind == "suspension" and block.ends_at is not None:
        return _("Your account is suspended until %(end)s. Reason: %(reason)s.") % {
            "end": format_end(block.ends_at),
            "reason": reason,
        }
    if block.kind == "revocation":
        return _(
            "Your account has been revoked. Reason: %(reason)s. "
            "It can be reopened only after an application approved by the HR centre."
        ) % {"reason": reason}
    if block.kind == "freeze":
        return _("Your account is frozen. Reason: %(reason)s.") % {"reason": reason}
    return _("Your account is blocked. Reason: %(reason)s.") % {"reason": reason}


def refusal_code(block: Block) -> str:
    return _CODES.get(block.kind, "suspended")


_UNREAD = object()


@dataclass(frozen=True)
class LearningState:
    """The gate's answer, and when learning was last switched back on (None: never off)."""

    refusal: Refusal | None
    resumed_at: datetime | None


def block_of(user, now: datetime | None = None, *, request=None) -> Block | None:
    """The learner's current block (None: not blocked or not signed in), one cached read.

    With the `request`, the answer the standing middleware read for the same user at the
    start of this request is used (a token-authenticated user is unknown to the middleware,
    so it is read here).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    read = getattr(request, "_elearn_block", None) if request is not None else None
    if read is not None and read[0] == user.pk:
        return read[1]
    return active_block(user.pk, now)


def learning_state(
    user, now: datetime | None = None, *, block=_UNREAD, switch=_UNREAD
) -> LearningState:
    """`learning_refusal` and the kill switch's last resumption, from one read of each.

    `block` is the learner's block (None: not blocked) when the caller read it already;
    `switch` the kill switch's cached value (`killswitch.CACHE_KEY`) when it did too.
    """
    enabled, resumed_at = (
        killswitch.learning_state() if switch is _UNREAD else killswitch.learning_state(switch)
    )
    if not enabled:
        refusal = Refusal(
            "learning_off",
            _("Learning is temporarily switched off. Please try again later."),
        )
        return LearningState(refusal, resumed_at)
    if user is None or not getattr(user, "is_authenticated", False):
        return LearningState(Refusal("not_authenticated", _("Please sign in to study.")), None)
    if block is _UNREAD:
        block = active_block(user.pk, now)
    if block is not None:
        return LearningState(Refusal(refusal_code(block), describe_block(block)), resumed_at)
    return LearningState(None, resumed_at)


def learning_refusal(user, now: datetime | None = None, *, block=_UNREAD) -> Refusal | None:
    """Why this user may not study now, or None: the kill switch first, then the standing."""
    return learning_state(user, now, block=block).refusal
