"""The tracked video's consequential changes are audited with who made them (P-11, P-17).

The per-report progress is not audited (ADR 0009); the completion, the learning time it
credits, a sharing suspicion, an agreed media duration and the authored record are.
"""

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.video import services
from elearn_plugin.video.models import SharingSuspicion, TrackedVideo, VideoCompletion
from elearn_plugin.video.services import VideoSpec
from tests.unit.video.conftest import (
    BLOCK,
    COURSE,
    OFFICE,
    OTHER_BLOCK,
    PHONE,
    SUNDAY_EVENING,
    enrol,
    later,
)

T0 = SUNDAY_EVENING


def _report(user, grant, seq, start, end, at, client=OFFICE):
    body = {"token": grant.token, "seq": seq, "start": start, "end": end}
    return services.accept_report(user, body, client, now=at)


def _verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))


def test_a_completion_is_the_learners_and_is_audited_once(learner, spec):  # P-17
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    before = AuditEvent.objects.count()
    _report(learner, grant, 1, 0, 20, later(T0, 21))
    _report(learner, grant, 2, 20, 40, later(T0, 41))
    assert AuditEvent.objects.count() == before  # progress reports are not audited
    _report(learner, grant, 3, 40, 59.5, later(T0, 61))
    _report(learner, grant, 3, 40, 59.5, later(T0, 62))  # the same final report again
    completed = AuditEvent.objects.get(verb="video.completed")
    record = VideoCompletion.objects.get()
    assert completed.target == f"elearn_plugin.videocompletion:{record.pk}"
    assert (completed.actor_user_id, completed.actor_system) == (learner.pk, "")
    assert completed.data == {
        "block_key": BLOCK,
        "course_key": COURSE,
        "session_id": grant.session_id,
    }
    credited = AuditEvent.objects.get(verb="activity.recorded")
    assert credited.actor_user_id == learner.pk


def test_a_sharing_suspicion_is_the_servers_finding(learner, spec):  # P-4
    pc = services.start_session(learner, spec, OFFICE, now=T0)
    phone = services.start_session(
        learner, VideoSpec(OTHER_BLOCK, COURSE, 60.0), PHONE, now=later(T0, 1)
    )
    _report(learner, pc, 1, 0, 20, later(T0, 21))
    _report(learner, phone, 1, 0, 15, later(T0, 17), client=PHONE)
    _report(learner, phone, 2, 15, 30, later(T0, 32), client=PHONE)
    event = AuditEvent.objects.get(verb="sharing.suspected")
    assert event.actor_system == "system:sharing_detection" and event.actor_user_id is None
    assert event.target == f"elearn_plugin.sharingsuspicion:{SharingSuspicion.objects.get().pk}"
    assert "10.0.0.1" not in str(event.data)  # the evidence stays on the suspicion row


def test_an_agreed_media_duration_is_the_quorums(make_user, spec):
    services.register_video(spec)
    learners = [enrol(make_user()) for _ in range(3)]
    for learner, seconds in zip(learners, (30.0, 30.5, 31.0), strict=True):
        services.record_media_duration(learner, BLOCK, seconds)
    event = AuditEvent.objects.get(verb="video.duration_set")
    assert event.actor_system == "system:media_duration_quorum"
    assert event.data == {"block_key": BLOCK, "seconds": 30}


def test_the_authored_record_is_audited_when_it_changes_only(spec, make_user):
    author = make_user()
    services.register_video(spec, actor=author)
    services.register_video(spec, actor=author)  # unchanged: no event
    services.register_video(VideoSpec(BLOCK, COURSE, 90.0), actor=author)
    events = list(AuditEvent.objects.filter(verb="video.registered").order_by("id"))
    assert [e.data["created"] for e in events] == [True, False]
    assert {e.actor_user_id for e in events} == {author.pk}
    assert events[0].target == f"elearn_plugin.trackedvideo:{TrackedVideo.objects.get().pk}"


@pytest.mark.no_principal
def test_the_rescan_task_is_the_actor_of_what_it_finds(db):
    from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.structure import get_structure_adapter  # noqa: PLC0415
    from elearn_plugin.tasks.courses import rescan_course  # noqa: PLC0415

    CoursePolicy.objects.create(
        course_key=COURSE, title="Safety", credits=1, kind="required", origin="internal"
    )
    adapter = get_structure_adapter()
    adapter.clear()
    adapter.register(COURSE, "video", ["block-v1:Org+C1+2026+type@video+block@intro"])
    adapter.register_tracked_video(COURSE, BLOCK, duration=60.0, display_name="Intro")
    rescan_course(COURSE)
    rescan_course(COURSE)  # nothing changed: nothing more
    event = AuditEvent.objects.get(verb="builtin_videos.found")
    assert event.actor_system == "task:elearn.rescan_course"
    assert event.data == {"course_key": COURSE, "count": 1}
    assert _verbs().count("builtin_videos.found") == 1
    registered = AuditEvent.objects.get(verb="video.registered")
    assert registered.actor_system == "task:elearn.rescan_course"
    assert registered.data == {"block_key": BLOCK, "course_key": COURSE, "created": True}
    adapter.clear()
