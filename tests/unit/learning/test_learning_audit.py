"""Learning time, slots and classroom sessions are audited with their actor (P-11, P-18, P-27)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.learning import services

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _activity(user_id: int, key: str) -> services.ActivitySpec:
    return services.ActivitySpec(
        user_id=user_id,
        kind="video",
        source_key=key,
        started_at=START,
        ended_at=START + timedelta(minutes=10),
        seconds=600,
        course_key="course-v1:Org+C1+2026",
    )


def test_each_new_activity_has_one_event_and_a_repeat_none(
    make_user, django_assert_max_num_queries
):
    users = [make_user() for _ in range(3)]
    specs = [_activity(u.pk, f"watch:{u.pk}:1") for u in users]
    # Set-based: the events of a chunk cost one INSERT, not one per learner.
    with django_assert_max_num_queries(14):
        assert services.record_activities_bulk(specs) == 3
    assert services.record_activities_bulk(specs) == 0
    events = AuditEvent.objects.filter(verb="activity.recorded")
    assert events.count() == 3
    assert {e.actor_system for e in events} == {"system:tests"}
    assert {e.data["seconds"] for e in events} == {600}
    assert all(e.data["classification_code"] for e in events)


def test_a_slot_grant_names_the_contact_and_a_repeat_adds_nothing(make_user):  # P-18
    learner, contact = make_user(), make_user()
    end = START + timedelta(hours=2)
    slot = services.grant_slot(learner.pk, START, end, actor=contact, reason="night shift")
    services.grant_slot(learner.pk, START, end, actor=contact, reason="again")
    event = AuditEvent.objects.get(verb="slot.granted")
    assert (event.actor_user_id, event.target) == (
        contact.pk,
        f"elearn_plugin.permittedslot:{slot.pk}",
    )
    assert "night" not in str(event.data)  # the reason stays on the slot


def test_a_slot_needs_a_person_not_a_job(make_user):
    learner = make_user()
    with pytest.raises(services.LearningDataError, match="known user"):
        services.grant_slot(learner.pk, START, START + timedelta(hours=1), actor=None, reason="x")
    assert not AuditEvent.objects.exists()


def test_a_classroom_session_and_its_late_attendees_are_audited(make_user):  # P-27
    first, late = make_user(), make_user()
    hr = make_user()
    spec = services.ClassroomSessionSpec(
        session_key="2026-03 fire safety",
        title="Fire safety",
        instructor_name="Wang Wu",
        started_at=START,
        duration_seconds=3600,
    )
    session = services.record_classroom_session(spec, [first.pk], actor=hr)
    services.record_classroom_session(spec, [first.pk], actor=hr)  # nothing new
    services.record_classroom_session(spec, [first.pk, late.pk], actor=hr)
    events = list(AuditEvent.objects.filter(verb="classroom.recorded").order_by("id"))
    assert [(e.data["created"], e.data["attendee_count"]) for e in events] == [
        (True, 1),
        (False, 1),
    ]
    assert {e.target for e in events} == {f"elearn_plugin.classroomsession:{session.pk}"}
    assert "Wang" not in str([e.data for e in events])
    assert AuditEvent.objects.filter(verb="activity.recorded", actor_user_id=hr.pk).count() == 2
