"""`retire_person` erases one learner's personal data and keeps the archive (P-7, P-32).

The fields come from the models' `.. pii:` annotations (`tests/unit/retirement/data.py`
lists them); the host's signals that call it are tested in `tests/host/test_retirement.py`.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org.models import Person
from elearn_plugin.outbox.sender import max_attempts, send_pending
from elearn_plugin.retirement import RETIRED_NAME, retire_person
from elearn_plugin.retirement.services import RETIRED_MESSAGE_ERROR
from elearn_plugin.standing.models import Sanction
from tests.unit.retirement import data


@pytest.fixture
def people(db, make_user):
    """Two learners with a full history each, and the staff member who acted on them."""
    place = data.unit()
    staff = make_user()
    learner, other = make_user(), make_user()
    data.history(learner, place, staff=staff)
    data.history(other, place, staff=staff)
    return learner, other, staff


def _retired_events(user_id: int) -> int:
    return AuditEvent.objects.filter(verb="person.retired", target=f"auth.user:{user_id}").count()


# P-32: every personal field the annotations list is erased for the retired learner.
def test_every_personal_field_of_the_learner_is_erased(people):
    learner, _other, _staff = people
    person = Person.objects.get(user=learner)
    employee_id = person.employee_id

    assert retire_person(learner.pk) is True

    erased = data.snapshot(learner.pk)
    assert [row[1:] for row in erased["Person"]] == [(RETIRED_NAME,)]
    assert [row[1:] for row in erased["OutboxMessage"]] == [({},), ({},)]
    assert [row[1:] for row in erased["WatchSession"]] == [(None, "", ""), (None, "", "")]
    assert [row[1:] for row in erased["SharingSuspicion"]] == [({},)]
    assert [row[1:] for row in erased["SessionOverlap"]] == [({},)]
    assert [row[1:] for row in erased["ReinstatementApplication"]] == [("", "")]
    assert [row[1:] for row in erased["Sanction"]] == [("", "")]
    assert [row[1:] for row in erased["PermittedSlot"]] == [("",)]
    assert [row[1:] for row in erased["FeedbackItem"]] == [("", "", "")]  # P-29
    assert [row[1:] for row in erased["SurveyResponse"]] == [({},)]
    # P-7: HR's employee id is the archive's key of the person, kept with the row.
    assert Person.objects.get(user=learner).employee_id == employee_id


def test_no_other_learner_is_touched(people):
    learner, other, staff = people
    before = {uid: data.snapshot(uid) for uid in (other.pk, staff.pk)}
    outbox_before = data.outbox_of(other.pk)

    retire_person(learner.pk)

    assert {uid: data.snapshot(uid) for uid in (other.pk, staff.pk)} == before
    assert data.outbox_of(other.pk) == outbox_before
    assert Person.objects.get(user=other).name.startswith("Zhang Wei")


# P-7: the archive's rows stay, with their ids, codes and structured evidence.
def test_the_archive_rows_and_ids_remain(people):
    learner, _other, staff = people
    counts = data.archive_counts()
    ids = data.snapshot(learner.pk)
    sanction = Sanction.objects.values().get(user=learner)

    retire_person(learner.pk)

    after = data.archive_counts()
    assert after.pop("AuditEvent") == counts.pop("AuditEvent") + 1  # person.retired
    assert after == counts
    assert {name: [row[0] for row in rows] for name, rows in data.snapshot(learner.pk).items()} == {
        name: [row[0] for row in rows] for name, rows in ids.items()
    }
    kept = Sanction.objects.values().get(user=learner)
    assert {k: v for k, v in kept.items() if k not in ("reason", "lift_reason")} == {
        k: v for k, v in sanction.items() if k not in ("reason", "lift_reason")
    }
    assert kept["created_by_id"] == staff.pk and kept["evidence"] == sanction["evidence"]


def test_unsent_messages_are_given_up_and_never_sent(people, mailoutbox):
    learner, _other, _staff = people

    retire_person(learner.pk)

    rows = {key.split(":")[0]: rest for key, *rest in data.outbox_of(learner.pk)}
    assert rows["sent"][0] is not None and rows["sent"][2] == ""  # a sent message stays sent
    assert rows["unsent"] == [None, max_attempts(), RETIRED_MESSAGE_ERROR]
    send_pending()
    assert all(learner.email not in message.to for message in mailoutbox)


def test_the_audit_trail_records_it_once_and_still_verifies(people):
    learner, _other, _staff = people
    chain.seal()
    assert chain.verify(full=True).ok

    retire_person(learner.pk)
    event = AuditEvent.objects.get(verb="person.retired")
    assert (event.target, event.data, event.actor_system) == (
        f"auth.user:{learner.pk}",
        {},
        "system:tests",
    )
    chain.seal()
    assert chain.verify(full=True).ok


# P-33: a second retirement (the platform re-runs a failed step) finds nothing and changes
# nothing, and records no second event.
def test_twice_is_idempotent(people):
    learner, _other, _staff = people
    assert retire_person(learner.pk) is True
    after_first = (data.snapshot(learner.pk), data.outbox_of(learner.pk), data.archive_counts())

    assert retire_person(learner.pk) is False

    assert (data.snapshot(learner.pk), data.outbox_of(learner.pk), data.archive_counts()) == (
        after_first
    )
    assert _retired_events(learner.pk) == 1


def test_an_unknown_user_changes_nothing(people):
    before = (data.snapshot(people[0].pk), data.archive_counts())
    assert retire_person(999_999) is False
    assert (data.snapshot(people[0].pk), data.archive_counts()) == before
    assert not AuditEvent.objects.filter(verb="person.retired").exists()


def test_a_user_without_plugin_data_changes_nothing(db, make_user):
    nobody = make_user()
    assert retire_person(nobody.pk) is False
    assert _retired_events(nobody.pk) == 0


@pytest.mark.parametrize("bad", [0, -3, True, "7", None, 1.5])
def test_a_user_id_must_be_a_positive_integer(db, bad):
    with pytest.raises(ValueError):
        retire_person(bad)


# The statements are a fixed handful, whatever the learner's history.
def test_the_query_count_does_not_grow_with_the_history(
    db, make_user, django_assert_max_num_queries
):
    place = data.unit()
    small, large = make_user(), make_user()
    data.history(small, place)
    data.history(large, place)
    for _ in range(5):
        data.history(make_user(), place)  # other learners' rows
    from elearn_plugin.video.models import WatchSession

    first = WatchSession.objects.filter(user=large).first()
    WatchSession.objects.bulk_create(
        [
            WatchSession(
                user=large,
                course_key=first.course_key,
                block_key=first.block_key,
                ip="10.9.9.9",
                user_agent_hash="ua",
                browser_hash="br",
            )  # fmt: skip
            for _ in range(40)
        ]
    )
    with CaptureQueriesContext(connection) as few:
        retire_person(small.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        retire_person(large.pk)
    # One UPDATE per table with personal text, the watch evidence, and the audit.
    assert len(few.captured_queries) <= len(data.PERSONAL) + 7
    assert not WatchSession.objects.filter(user=large, ip__isnull=False).exists()


@pytest.mark.no_principal
def test_without_an_actor_or_principal_nothing_is_erased(people):
    from elearn_plugin.audit import AuditError

    learner = people[0]
    before = data.snapshot(learner.pk)
    with pytest.raises(AuditError):
        retire_person(learner.pk)
    assert data.snapshot(learner.pk) == before  # rolled back with the missing audit event


def test_an_acting_user_is_recorded(people):
    learner, _other, staff = people
    retire_person(learner.pk, actor=staff)
    assert AuditEvent.objects.get(verb="person.retired").actor_user_id == staff.pk


# The annotations and the writer agree: a model says `local_api` exactly when retirement
# erases some of its fields; the others hold only ids (kept for the archive, P-7), or, for
# the classroom session, an instructor's name that is linked to no account.
def test_the_annotations_name_what_retirement_erases():
    import re

    from django.apps import apps

    erased, other_pii = set(), set()
    for model in apps.get_app_config("elearn_plugin").get_models():
        doc = model.__doc__ or ""
        retirement = re.search(r"\.\. pii_retirement: (\w+)", doc)
        if retirement and retirement.group(1) == "local_api":
            erased.add(model.__name__)
        types = re.search(r"\.\. pii_types: ([\w, ]+)", doc)
        if types and set(types.group(1).replace(" ", "").split(",")) - {"id"}:
            other_pii.add(model.__name__)
    assert erased == {model.__name__ for model, _fields in data.PERSONAL}
    # Kept whole, with the reason in their annotations: the classroom register, the record of
    # who reviewed what (P-11), the evidence referred to the audit centre (P-5), and the
    # knowledge a learner contributed to the organisation (P-12).
    # The instructor archive (P-27) names who taught, as the classroom register does.
    kept = {
        "ClassroomSession",
        "ReviewItem",
        "IllegalContentReferral",
        "Contribution",
        "Instructor",
    }
    assert other_pii - erased == kept
