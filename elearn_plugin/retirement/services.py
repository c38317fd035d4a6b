"""The one writer that erases a retired learner's personal data from the plugin's tables.

Open edX retires an account (GDPR-style) long after the learner asked, once the cool-off has
passed; the platform then replaces the username and e-mail and blanks the profile. The plugin
keeps, for the organisation's archive (P-7, P-26), every row it wrote about the learner: ids,
credits, completions, learning time, sanctions and the audit trail stay, so that totals,
rankings and the sealed audit chain (ADR 0009) do not change. What identifies the person
beyond their ids is blanked or replaced, field by field, as the models' `.. pii:` annotations
list it:

- `Person.name` -> `RETIRED_NAME`. `employee_id` is kept: it is HR's key of the employee file,
  the id under which the organisation keeps the archive (P-7), not a contact detail.
- `OutboxMessage.context` (what a message shows: a name, course titles) -> `{}`; unsent
  messages are given up, so nothing more is mailed to the retired account.
- `WatchSession.ip`, `user_agent_hash`, `browser_hash` -> empty; `SharingSuspicion.evidence` and
  `SessionOverlap.evidence` (addresses and hashes of shared use) -> `{}`.
- `ReinstatementApplication.statement` and `decision_reason` -> empty; unused
  `ReinstatementLink`s are spent, so no application follows the retirement.
- `FeedbackItem.subject`, `body` and `answer` (what the learner wrote and was answered) ->
  empty, and `SurveyResponse.texts` (free-text survey answers) -> `{}`; the kinds, dates and
  counted survey choices stay.
- Working `FamilyLink`s are revoked, so no family reads the report of a retired account.
- `Sanction.reason` and `lift_reason`, `PermittedSlot.reason` (free text) -> empty; the
  reason codes, dates, and the sanctions' structured evidence (ids, course keys) stay.
- `SessionRating.comment` (free text) -> empty; the score stays in the instructor's figures.

Each UPDATE matches only rows that still hold something to erase, so a second call changes
nothing, returns False and records no second `person.retired` event (P-33). The statements
are a fixed handful per learner (no loop over rows), so the platform's retirement request
stays fast whatever the learner's history.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from elearn_plugin import audit

log = logging.getLogger(__name__)

# What a retired learner's name reads in every list and report (the archive keeps the row).
RETIRED_NAME = "(retired)"
# The outbox's `last_error` of a message given up because its recipient was retired.
RETIRED_MESSAGE_ERROR = "recipient retired: not sent"


def _check_user_id(user_id: object) -> int:
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise ValueError("user_id must be a positive integer")
    return user_id


def _erase(user_id: int) -> int:
    """Blank every personal field of `user_id`; the number of rows changed (0: nothing left)."""
    from elearn_plugin.feedback.models import FeedbackItem, SurveyResponse  # noqa: PLC0415
    from elearn_plugin.learning.models import PermittedSlot  # noqa: PLC0415
    from elearn_plugin.org.models import Person  # noqa: PLC0415
    from elearn_plugin.outbox.models import OutboxMessage  # noqa: PLC0415
    from elearn_plugin.outbox.sender import max_attempts  # noqa: PLC0415
    from elearn_plugin.reinstatement.models import (  # noqa: PLC0415
        ReinstatementApplication,
        ReinstatementLink,
    )
    from elearn_plugin.sharing.models import SessionOverlap  # noqa: PLC0415
    from elearn_plugin.standing.models import Sanction  # noqa: PLC0415
    from elearn_plugin.teaching.models import SessionRating  # noqa: PLC0415
    from elearn_plugin.video.models import SharingSuspicion, WatchSession  # noqa: PLC0415

    now = timezone.now()
    changed = (
        Person.objects.filter(user_id=user_id)
        .exclude(name=RETIRED_NAME)
        .update(name=RETIRED_NAME, updated_at=now)
    )
    # Unsent messages are given up (their context is blanked below): the sender never takes a
    # row that has used up its attempts, and one holding a row already finds its claim gone.
    changed += (
        OutboxMessage.objects.filter(user_id=user_id, sent_at__isnull=True)
        .exclude(last_error=RETIRED_MESSAGE_ERROR)
        .update(
            attempts=Greatest(F("attempts"), max_attempts()),
            last_error=RETIRED_MESSAGE_ERROR,
            claim="",
        )
    )
    changed += OutboxMessage.objects.filter(user_id=user_id).exclude(context={}).update(context={})
    changed += (
        WatchSession.objects.filter(user_id=user_id)
        .filter(Q(ip__isnull=False) | ~Q(user_agent_hash="") | ~Q(browser_hash=""))
        .update(ip=None, user_agent_hash="", browser_hash="")
    )
    for evidence in (SharingSuspicion, SessionOverlap):
        changed += evidence.objects.filter(user_id=user_id).exclude(evidence={}).update(evidence={})
    changed += (
        Sanction.objects.filter(user_id=user_id)
        .filter(~Q(reason="") | ~Q(lift_reason=""))
        .update(reason="", lift_reason="")
    )
    changed += PermittedSlot.objects.filter(user_id=user_id).exclude(reason="").update(reason="")
    changed += SessionRating.objects.filter(user_id=user_id).exclude(comment="").update(comment="")
    changed += (
        ReinstatementApplication.objects.filter(user_id=user_id)
        .filter(~Q(statement="") | ~Q(decision_reason=""))
        .update(statement="", decision_reason="")
    )
    changed += ReinstatementLink.objects.filter(user_id=user_id, used_at__isnull=True).update(
        used_at=now, expires_at=now
    )
    changed += (
        FeedbackItem.objects.filter(user_id=user_id)
        .filter(~Q(subject="") | ~Q(body="") | ~Q(answer=""))
        .update(subject="", body="", answer="")
    )
    changed += SurveyResponse.objects.filter(user_id=user_id).exclude(texts={}).update(texts={})
    from elearn_plugin.family.services import revoke_all_of  # noqa: PLC0415

    changed += revoke_all_of(user_id, now)
    return changed


def retire_person(user_id: int, *, actor=None) -> bool:
    """Erase the personal data of one learner; True when anything was erased.

    Ids and the archive's rows stay (P-7). An unknown user, or one retired before, changes
    nothing and returns False. `actor` as in `audit.record` (None: the running principal,
    e.g. the host's retirement receiver).
    """
    user_id = _check_user_id(user_id)
    with transaction.atomic():
        changed = _erase(user_id)
        if changed:
            audit.record(actor, "person.retired", audit.user_target(user_id), {})
    if changed:
        log.info("retirement: personal data of user %s erased (%s rows)", user_id, changed)
    return bool(changed)
