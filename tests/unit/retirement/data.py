"""A learner's history in every table that holds personal data, for the retirement tests.

`PERSONAL` lists, per model, the fields the models' `.. pii:` annotations name as more than an
id; `snapshot` reads them for one learner, `archive_counts` counts the rows kept for the
archive (P-7). Shared by the unit tests and the host tests (`tests/host/test_retirement.py`).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from elearn_plugin import audit
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses.models import Assignment, CourseCompletion
from elearn_plugin.feedback.models import FeedbackItem, Survey, SurveyResponse
from elearn_plugin.learning.models import LearningActivity, PermittedSlot
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.org.models import Membership, Person, Unit
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.reinstatement.models import ReinstatementApplication
from elearn_plugin.sharing.models import SessionOverlap
from elearn_plugin.standing.models import Sanction
from elearn_plugin.teaching.models import SessionRating, TeachingSession
from elearn_plugin.video.models import SharingSuspicion, VideoCompletion, WatchSession

COURSE = "course-v1:Org+Ret+2026"
BLOCK = "block-v1:Org+Ret+2026+type@elearn_video+block@intro"
T0 = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
_seq = itertools.count(1)

# (model, personal fields other than ids), as the `.. pii:` annotations list them.
PERSONAL = [
    (Person, ("name",)),
    (OutboxMessage, ("context",)),
    (WatchSession, ("ip", "user_agent_hash", "browser_hash")),
    (SharingSuspicion, ("evidence",)),
    (SessionOverlap, ("evidence",)),
    (Sanction, ("reason", "lift_reason")),
    (PermittedSlot, ("reason",)),
    (ReinstatementApplication, ("statement", "decision_reason")),
    (SessionRating, ("comment",)),
    (FeedbackItem, ("subject", "body", "answer")),
    (SurveyResponse, ("texts",)),
]
# Rows of the archive (P-7): never deleted by retirement.
ARCHIVE = [
    Person,
    Membership,
    Assignment,
    CourseCompletion,
    LedgerEntry,
    LearningActivity,
    PermittedSlot,
    VideoCompletion,
    WatchSession,
    SharingSuspicion,
    Sanction,
    SessionRating,
    OutboxMessage,
    AuditEvent,
]


def unit() -> Unit:
    with audit.acting_as("system:fixtures"):
        from elearn_plugin.org.services import create_unit

        made, _created = create_unit(f"ret-{next(_seq)}", "Retirement unit")
    return made


def history(user, place: Unit, *, staff=None) -> None:
    """Everything the plugin may hold about `user`: personal fields filled in."""
    n = next(_seq)
    Person.objects.create(user=user, employee_id=f"E{n:05d}", name=f"Zhang Wei {n}", unit=place)
    Membership.objects.create(user=user, unit=place, valid_from=T0)
    Assignment.objects.create(user=user, course_key=COURSE, due_at=T0, source="hr")
    CourseCompletion.objects.create(
        user=user, course_key=COURSE, completed_at=T0, source="verified"
    )
    LedgerEntry.objects.create(
        user=user, kind="credit", amount=Decimal("3"), source_key=f"c:{n}", occurred_at=T0
    )
    LearningActivity.objects.create(
        user=user, kind="video", source_key=f"a:{n}", started_at=T0,
        ended_at=T0 + timedelta(minutes=5), seconds=300, classification="window",
    )  # fmt: skip
    PermittedSlot.objects.create(
        user=user, starts_at=T0, ends_at=T0 + timedelta(hours=1), granted_by=staff,
        reason=f"Night shift of Zhang Wei {n}",
    )  # fmt: skip
    VideoCompletion.objects.create(
        user=user, course_key=COURSE, block_key=BLOCK, watched_seconds=60.0, wall_seconds=61.0,
        first_watched_at=T0, last_watched_at=T0, completed_at=T0,
    )  # fmt: skip
    first, second = (
        WatchSession.objects.create(
            user=user,
            course_key=COURSE,
            block_key=BLOCK,
            ip=f"10.0.{n % 250}.{i}",
            user_agent_hash=f"ua{i}",
            browser_hash=f"br{i}",
        )  # fmt: skip
        for i in (1, 2)
    )
    SharingSuspicion.objects.create(
        user=user, first_session=first, second_session=second,
        evidence={"first": {"ip": first.ip}, "second": {"ip": second.ip}},
    )  # fmt: skip
    Sanction.objects.create(
        user=user, kind="suspension", reason_code="sharing", source=f"sharing:{n}",
        reason=f"Zhang Wei {n} lent the account", lift_reason="Appeal by phone 555-0100",
        evidence={"sessions": [first.pk, second.pk]}, created_by=staff,
    )  # fmt: skip
    OutboxMessage.objects.create(
        key=f"sent:{n}", message_type="warning", user=user,
        context={"name": f"Zhang Wei {n}"}, sent_at=T0,
    )  # fmt: skip
    SessionOverlap.objects.create(
        user=user, key=f"ret:{n}",
        evidence={"first": {"ip": "10.0.0.1"}, "second": {"ip": "10.0.0.2"}},
    )  # fmt: skip
    ReinstatementApplication.objects.create(
        user=user, blocked_kind="revocation", statement=f"I am Zhang Wei {n}, on leave",
        status="rejected", decision_reason=f"Zhang Wei {n} was not on leave",
    )  # fmt: skip
    FeedbackItem.objects.create(
        user=user, kind="complaint", about="platform", subject=f"Zhang Wei {n} cannot log in",
        body="My phone 555-0100", answer=f"Dear Zhang Wei {n}, fixed", due_at=T0, state="answered",
    )  # fmt: skip
    survey = Survey.objects.create(title=f"Needs {n}", status="open")
    SurveyResponse.objects.create(
        survey=survey, user=user, texts={"1": f"I, Zhang Wei {n}, need Excel"}
    )
    OutboxMessage.objects.create(
        key=f"unsent:{n}", message_type="warning", user=user, context={"name": f"Zhang Wei {n}"}
    )
    session = TeachingSession.objects.create(
        key=f"course:{COURSE}:{n}", kind="online", course_key=COURSE, title="Ret", started_at=T0
    )
    SessionRating.objects.create(
        session=session, user=user, score=2, comment=f"Zhang Wei {n} found it slow"
    )


def snapshot(user_id: int) -> dict:
    """The personal fields of one learner, model by model, with the row ids."""
    return {
        model.__name__: sorted(
            model.objects.filter(user_id=user_id).values_list("pk", *fields), key=str
        )
        for model, fields in PERSONAL
    }


def archive_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ARCHIVE}


def outbox_of(user_id: int) -> list[tuple]:
    return list(
        OutboxMessage.objects.filter(user_id=user_id)
        .order_by("key")
        .values_list("key", "sent_at", "attempts", "last_error")
    )
