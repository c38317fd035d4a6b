"""Watch sessions, verified progress, completion, learning time and sharing evidence.

Each adversarial case is its own test: it must be refused with a clear code and leave the
stored progress unchanged.
"""

import pytest

from elearn_plugin.host.completion import get_completion_adapter
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.video import reports, services
from elearn_plugin.video.models import (
    SharingSuspicion,
    TrackedVideo,
    VideoCompletion,
    WatchProgress,
    WatchSession,
)
from elearn_plugin.video.services import VideoSpec, WatchError
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


def _progress(user, block=BLOCK):
    return WatchProgress.objects.get(user_id=user.pk, block_key=block)


def _snapshot(user):
    p = _progress(user)
    return (p.intervals, p.last_seq, p.watched_seconds, p.version)


# P-17, P-20
def test_watching_to_the_end_records_one_completion_and_learning_time(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    assert grant.position == 0 and not grant.complete
    first = _report(learner, grant, 1, 0, 20, later(T0, 21))
    assert first.accepted and first.watched_seconds == 20 and not first.complete
    _report(learner, grant, 2, 20, 40, later(T0, 41))
    last = _report(learner, grant, 3, 40, 59.5, later(T0, 61))
    assert last.complete and last.completion_created
    record = VideoCompletion.objects.get(user_id=learner.pk, block_key=BLOCK)
    assert record.course_key == COURSE and record.watched_seconds == 59.5
    assert record.wall_seconds >= 59.5
    assert get_completion_adapter().calls == [(learner.pk, BLOCK, 1.0)]
    activities = LearningActivity.objects.filter(user_id=learner.pk)
    assert activities.count() == 1
    assert activities.get().classification == "off_hours"  # P-18
    assert 55 <= activities.get().seconds <= 62
    # The same final report again changes nothing (idempotent).
    again = _report(learner, grant, 3, 40, 59.5, later(T0, 62))
    assert again.duplicate and not again.completion_created
    assert VideoCompletion.objects.count() == 1
    assert len(get_completion_adapter().calls) == 1


# P-17
def test_completion_record_is_immutable(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 60, later(T0, 61))
    record = VideoCompletion.objects.get()
    record.watched_seconds = 1
    with pytest.raises(Exception):
        record.save()
    with pytest.raises(Exception):
        record.delete()


# P-17: seeking to the end and reporting the end proves nothing
def test_seek_to_end_then_report_is_refused(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    before = _snapshot(learner)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 2, 55, 60, later(T0, 300))
    assert exc.value.code == "beyond_frontier" and exc.value.status == 422
    assert _snapshot(learner) == before
    assert not VideoCompletion.objects.exists()


# P-17
def test_segment_past_frontier_is_refused(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 1, 5, 15, later(T0, 30))
    assert exc.value.code == "beyond_frontier"
    assert _progress(learner).intervals == []


# P-17
def test_reports_faster_than_real_time_are_refused(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 1, 0, 30, later(T0, 10))
    assert exc.value.code == "too_fast"
    assert _progress(learner).intervals == []
    # Later, with enough real time, the same segment is accepted.
    assert _report(learner, grant, 2, 0, 30, later(T0, 31)).accepted


# P-17
def test_replayed_sequence_is_answered_idempotently(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    before = _snapshot(learner)
    result = _report(learner, grant, 1, 0, 10, later(T0, 12))
    assert result.duplicate and _snapshot(learner) == before


# P-17
def test_out_of_order_sequence_is_refused(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 5, 0, 10, later(T0, 11))
    before = _snapshot(learner)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 4, 10, 20, later(T0, 40))
    assert exc.value.code == "stale_sequence" and exc.value.status == 409
    assert _snapshot(learner) == before


# P-17: two tabs never double the credit
def test_two_tabs_newer_session_supersedes_older(learner, spec):
    tab1 = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, tab1, 1, 0, 10, later(T0, 11))
    tab2 = services.start_session(learner, spec, OFFICE, now=later(T0, 12))
    assert tab2.position == 10 and tab2.frontier == 10  # resume at the last position
    with pytest.raises(WatchError) as exc:
        _report(learner, tab1, 2, 10, 20, later(T0, 25))
    assert exc.value.code == "superseded" and exc.value.status == 409
    assert _report(learner, tab2, 1, 10, 20, later(T0, 23)).watched_seconds == 20
    assert WatchSession.objects.filter(superseded_at__isnull=False).count() == 1
    # The first tab's learning time was written when it was superseded.
    assert LearningActivity.objects.filter(source_key__startswith="video:").count() == 1
    assert not SharingSuspicion.objects.exists()


# P-4: moving from the office PC to a phone is normal
def test_two_devices_one_after_the_other_is_not_sharing(learner, spec):
    pc = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, pc, 1, 0, 20, later(T0, 21))
    phone = services.start_session(learner, spec, PHONE, now=later(T0, 600))
    _report(learner, phone, 1, 20, 40, later(T0, 621), client=PHONE)
    assert not SharingSuspicion.objects.exists()


# P-4: two devices playing at once from different places
def test_two_devices_at_once_records_sharing_suspicion(learner, spec):
    other = VideoSpec(OTHER_BLOCK, COURSE, 60.0)
    pc = services.start_session(learner, spec, OFFICE, now=T0)
    phone = services.start_session(learner, other, PHONE, now=later(T0, 1))
    _report(learner, pc, 1, 0, 20, later(T0, 21))
    _report(learner, phone, 1, 0, 15, later(T0, 17), client=PHONE)
    suspicion = SharingSuspicion.objects.get()
    assert suspicion.user_id == learner.pk
    assert {suspicion.evidence["first"]["ip"], suspicion.evidence["second"]["ip"]} == {
        "10.0.0.1",
        "10.9.9.9",
    }
    assert suspicion.evidence["first"]["window"] and suspicion.evidence["second"]["user_agent_hash"]
    # Recorded once per pair of sessions.
    _report(learner, phone, 2, 15, 30, later(T0, 32), client=PHONE)
    assert SharingSuspicion.objects.count() == 1


# P-4: two tabs of one browser on different videos are not sharing
def test_same_browser_two_videos_is_not_sharing(learner, spec):
    other = VideoSpec(OTHER_BLOCK, COURSE, 60.0)
    a = services.start_session(learner, spec, OFFICE, now=T0)
    b = services.start_session(learner, other, OFFICE, now=later(T0, 1))
    _report(learner, a, 1, 0, 20, later(T0, 21))
    _report(learner, b, 1, 0, 15, later(T0, 17))
    assert not SharingSuspicion.objects.exists()


# P-31: a token is bound to its learner
def test_another_learners_token_is_refused(learner, spec, make_user):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    intruder = make_user()
    with pytest.raises(WatchError) as exc:
        _report(intruder, grant, 1, 0, 10, later(T0, 11))
    assert exc.value.code == "wrong_user" and exc.value.status == 403
    assert _progress(learner).intervals == []
    assert not WatchProgress.objects.filter(user_id=intruder.pk).exists()


@pytest.mark.parametrize("token", ["", "garbage", None, 5, "x" * 2000])
# P-17
def test_forged_or_missing_token_is_refused(learner, spec, token):
    services.start_session(learner, spec, OFFICE, now=T0)
    with pytest.raises(WatchError) as exc:
        services.accept_report(learner, {"token": token, "seq": 1, "start": 0, "end": 5}, OFFICE)
    assert exc.value.code == "bad_token" and exc.value.status == 400


# P-8: a suspended learner cannot watch
def test_suspended_learner_is_refused(learner, spec):
    from django.utils import timezone

    from elearn_plugin.standing import services as standing

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    now = T0
    standing.impose(
        learner.pk,
        "suspension",
        "sharing",
        "test:1",
        starts_at=now - timezone.timedelta(hours=1),
        ends_at=now + timezone.timedelta(days=7),
    )
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 1, 0, 10, later(T0, 11))
    assert exc.value.code == "suspended" and exc.value.status == 403
    with pytest.raises(WatchError):
        services.start_session(learner, spec, OFFICE, now=later(T0, 12))
    assert _progress(learner).intervals == []


# P-34: the kill switch stops watching at once; back on, the session continues
def test_kill_switch_refuses_reports(learner, spec, make_user):
    from freezegun import freeze_time

    from elearn_plugin.killswitch import set_learning_enabled

    hr = make_user(is_staff=True)
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    with freeze_time(later(T0, 1)):
        set_learning_enabled(False, actor=hr)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 1, 0, 10, later(T0, 11))
    assert exc.value.code == "learning_off" and exc.value.status == 403
    assert _progress(learner).intervals == []
    with freeze_time(later(T0, 12)):
        set_learning_enabled(True, actor=hr)
    assert _report(learner, grant, 1, 0, 10, later(T0, 23)).accepted


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", float("nan")),
        ("duration", -5),
        ("duration", 10**9),
        ("max_rate", 3.0),
        ("max_rate", "fast"),
        ("block_key", "<script>"),
        ("course_key", ""),
    ],
)
# P-17: authored facts are checked, never guessed
def test_bad_video_spec_is_refused(learner, field, value):
    values = {"block_key": BLOCK, "course_key": COURSE, "duration": 60.0, "max_rate": 1.0}
    values[field] = value
    with pytest.raises(WatchError) as exc:
        services.start_session(learner, VideoSpec(**values), OFFICE, now=T0)
    assert exc.value.status == 400
    assert not WatchSession.objects.exists() and not TrackedVideo.objects.exists()


# P-17: the media's own duration is evidence, a mismatch is flagged (to the learner's answer)
def test_media_duration_mismatch_is_flagged(learner, spec):
    from elearn_plugin.video.models import MediaDurationObservation

    enrol(learner)
    services.start_session(learner, spec, OFFICE, now=T0)
    assert services.record_media_duration(learner, BLOCK, 61.5) is False
    assert services.record_media_duration(learner, BLOCK, 65.0) is True
    # One learner's observation is theirs only: the course team's record is unchanged.
    video = TrackedVideo.objects.get(block_key=BLOCK)
    assert video.media_duration is None and not video.duration_mismatch
    assert MediaDurationObservation.objects.get(user_id=learner.pk).duration == 65.0
    for bad in (float("nan"), "60", None, -1, 10**400):
        with pytest.raises(WatchError) as exc:
            services.record_media_duration(learner, BLOCK, bad)
        assert exc.value.status == 400
    with pytest.raises(WatchError) as exc:
        services.record_media_duration(learner, OTHER_BLOCK, 60)
    assert exc.value.status == 404


# P-18: block mode refuses in working time without a window and says when it may play
def test_block_mode_refuses_outside_learning_windows(learner, spec, settings, tmp_path):
    from datetime import timedelta

    from elearn_plugin.learning.services import grant_slot
    from elearn_plugin.policy.runtime import reset_policy_cache
    from tests.unit.video.conftest import TUESDAY_MORNING

    source = open(settings.ELEARN_POLICY_FILE, encoding="utf-8").read()
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(source.replace("mode: flag ", "mode: block"), encoding="utf-8")
    settings.ELEARN_POLICY_FILE = str(policy_file)
    reset_policy_cache()
    try:
        with pytest.raises(WatchError) as exc:
            services.start_session(learner, spec, OFFICE, now=TUESDAY_MORNING)
        assert exc.value.code == "outside_window" and exc.value.status == 403
        assert exc.value.extra["next_allowed_start"]
        assert not WatchSession.objects.exists()
        # A training contact's permitted slot opens the time.
        grant_slot(
            learner.pk,
            TUESDAY_MORNING - timedelta(hours=1),
            TUESDAY_MORNING + timedelta(hours=1),
            actor=learner,
            reason="Urgent safety course",
        )
        grant = services.start_session(learner, spec, OFFICE, now=TUESDAY_MORNING)
        assert _report(learner, grant, 1, 0, 10, later(TUESDAY_MORNING, 11)).accepted
    finally:
        reset_policy_cache()


# P-18: in flag mode, working-time watching is recorded and classified, not refused
def test_flag_mode_records_unpermitted_learning_time(learner, spec):
    from tests.unit.video.conftest import TUESDAY_MORNING

    grant = services.start_session(learner, spec, OFFICE, now=TUESDAY_MORNING)
    _report(learner, grant, 1, 0, 60, later(TUESDAY_MORNING, 61))
    assert LearningActivity.objects.get(user_id=learner.pk).classification == "unpermitted"


# P-20, P-33: idle sessions' learning time is written by the job, once
def test_flush_learning_time_writes_idle_sessions_once(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 20, later(T0, 21))
    assert services.flush_learning_time(idle_seconds=600, now=later(T0, 60)) == 0
    assert services.flush_learning_time(idle_seconds=600, now=later(T0, 900)) == 1
    assert services.flush_learning_time(idle_seconds=600, now=later(T0, 1900)) == 0
    assert _progress(learner).pending_windows == []
    assert LearningActivity.objects.filter(user_id=learner.pk).count() == 1


# P-17: reports are rate limited per learner
def test_rate_limit(learner, spec, settings):
    settings.ELEARN_VIDEO_RATE_LIMIT = 2
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 5, later(T0, 6))
    _report(learner, grant, 2, 5, 10, later(T0, 11))
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 3, 10, 15, later(T0, 16))
    assert exc.value.status == 429
    assert _progress(learner).last_seq == 2


# P-17: what other domains read
def test_completed_blocks_and_learner_state(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 60, later(T0, 61))
    assert services.completed_blocks([learner.pk], COURSE) == {learner.pk: {BLOCK}}
    state = services.learner_state(learner.pk, BLOCK)
    assert state["complete"] and state["watched_seconds"] == 60
    assert services.learner_state(learner.pk, OTHER_BLOCK)["complete"] is False


# --- issue 11 -------------------------------------------------------------------------------


# P-18: video time in a training contact's permitted slot is stored as window time, as the
# learning service classifies the same interval (one classification for every writer)
def test_video_time_in_a_permitted_slot_is_window_time(learner, spec, make_user):
    from datetime import timedelta

    from elearn_plugin.learning.services import classify, grant_slot
    from tests.unit.video.conftest import TUESDAY_MORNING

    slot = (TUESDAY_MORNING - timedelta(hours=1), TUESDAY_MORNING + timedelta(hours=1))
    grant_slot(learner.pk, *slot, actor=make_user(), reason="Urgent safety course")
    grant = services.start_session(learner, spec, OFFICE, now=TUESDAY_MORNING)
    _report(learner, grant, 1, 0, 60, later(TUESDAY_MORNING, 61))
    activity = LearningActivity.objects.get(user_id=learner.pk)
    assert activity.classification == "window"
    assert classify(activity.started_at, activity.ended_at, [slot]) == "window"


# P-31: a session is issued only to a learner the host lets into the block's course
def test_session_needs_course_access(learner, spec, make_user):
    with pytest.raises(WatchError) as exc:
        services.open_session(learner, spec, OFFICE, now=T0)
    assert exc.value.code == "no_course_access" and exc.value.status == 403
    assert "enrol" in exc.value.message.lower()
    services.register_video(spec)
    with pytest.raises(WatchError) as exc:
        services.start_session_for_block(learner, BLOCK, OFFICE, now=T0)
    assert exc.value.code == "no_course_access"
    assert not WatchSession.objects.exists() and not WatchProgress.objects.exists()
    assert services.open_session(enrol(learner), spec, OFFICE, now=T0).token
    staff = make_user(is_staff=True)
    assert services.start_session_for_block(staff, BLOCK, OFFICE, now=T0).token


# P-17: a session's duration is the authored record's, never the caller's
def test_session_duration_comes_from_the_authored_record(learner, spec):
    services.register_video(spec)  # the course team's 60 s
    shortened = VideoSpec(BLOCK, COURSE, 5.0, max_rate=2.0)
    grant = services.start_session(learner, shortened, OFFICE, now=T0)
    assert grant.duration == 60.0 and grant.max_rate == 1.0
    assert not _report(learner, grant, 1, 0, 5, later(T0, 6)).complete
    video = TrackedVideo.objects.get()
    assert (video.duration, video.max_rate) == (60.0, 1.0)


# P-17: one learner's media duration never rewrites the record; three agreeing learners do
def test_media_duration_changes_the_record_only_when_learners_agree(make_user, spec):
    from elearn_plugin.video.models import MediaDurationObservation

    services.register_video(spec)  # authored 60 s
    learners = [enrol(make_user()) for _ in range(4)]
    services.record_media_duration(learners[0], BLOCK, 30.0)
    services.record_media_duration(learners[0], BLOCK, 30.0)  # the same learner again
    services.record_media_duration(learners[1], BLOCK, 30.5)
    services.record_media_duration(learners[3], BLOCK, 5.0)  # an outlier
    video = TrackedVideo.objects.get()
    assert video.media_duration is None and not video.duration_mismatch
    services.record_media_duration(learners[2], BLOCK, 31.0)
    video.refresh_from_db()
    assert video.media_duration == 30.5 and video.duration_mismatch
    assert video.duration == 60.0  # the authored duration, which the rules use, stays
    assert MediaDurationObservation.objects.filter(block_key=BLOCK).count() == 4


# P-31: a learner without access to the course records no evidence either
def test_media_duration_needs_course_access(learner, spec):
    from elearn_plugin.video.models import MediaDurationObservation

    services.register_video(spec)
    with pytest.raises(WatchError) as exc:
        services.record_media_duration(learner, BLOCK, 60.0)
    assert exc.value.status == 403
    assert not MediaDurationObservation.objects.exists()


# P-4: two places playing the same video at once are suspected, whichever reports first
@pytest.mark.parametrize("older_reports_first", [True, False])
def test_same_video_in_two_places_at_once_is_sharing(learner, spec, older_reports_first):
    pc = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, pc, 1, 0, 20, later(T0, 21))
    phone = services.start_session(learner, spec, PHONE, now=later(T0, 25))

    def pc_keeps_playing(at):
        with pytest.raises(WatchError) as exc:
            _report(learner, pc, 2, 20, 40, later(T0, at))
        assert exc.value.code == "superseded"

    if older_reports_first:
        pc_keeps_playing(41)
        assert not SharingSuspicion.objects.exists()
        _report(learner, phone, 1, 20, 40, later(T0, 46), client=PHONE)
    else:
        _report(learner, phone, 1, 20, 40, later(T0, 46), client=PHONE)
        pc_keeps_playing(48)
    suspicion = SharingSuspicion.objects.get()
    assert {suspicion.first_session_id, suspicion.second_session_id} == {
        pc.session_id,
        phone.session_id,
    }
    # The superseded session was never credited: the progress is the phone's.
    progress = _progress(learner)
    assert progress.session_id == phone.session_id and progress.intervals == [[0.0, 40.0]]


# P-4, P-19: the old device's report that shows no playback since (a retry) is no evidence
def test_superseded_retry_without_playback_is_not_sharing(learner, spec):
    pc = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, pc, 1, 0, 20, later(T0, 21))
    phone = services.start_session(learner, spec, PHONE, now=later(T0, 25))
    with pytest.raises(WatchError):
        _report(learner, pc, 1, 0, 20, later(T0, 30))  # the last report, sent again
    with pytest.raises(WatchError):
        _report(learner, pc, 2, 20, 40, later(T0, 26))  # more than 5 s can have played
    _report(learner, phone, 1, 20, 40, later(T0, 46), client=PHONE)
    assert not SharingSuspicion.objects.exists()


class _DeferredLiveWrites:
    """The shared cache, with writes of the sharing evidence held back until `apply()`."""

    def __init__(self, real):
        self.real = real
        self.pending = []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def set(self, key, value, *args, **kwargs):
        if str(key).startswith("elearn:video:live"):
            self.pending.append((key, value, args, kwargs))
            return None
        return self.real.set(key, value, *args, **kwargs)

    def set_many(self, mapping, *args, **kwargs):
        for key in [k for k in mapping if str(k).startswith("elearn:video:live")]:
            self.pending.append((key, mapping.pop(key), args, kwargs))
        return self.real.set_many(mapping, *args, **kwargs)

    def apply(self):
        for key, value, args, kwargs in self.pending:
            self.real.set(key, value, *args, **kwargs)


# P-4: two devices reporting at the same moment lose neither one's evidence (no lost update)
def test_concurrent_reports_of_two_devices_lose_no_evidence(learner, spec, monkeypatch):
    other = VideoSpec(OTHER_BLOCK, COURSE, 60.0)
    pc = services.start_session(learner, spec, OFFICE, now=T0)
    phone = services.start_session(learner, other, PHONE, now=later(T0, 5))
    deferred = _DeferredLiveWrites(reports.cache)
    monkeypatch.setattr(reports, "cache", deferred)
    _report(learner, pc, 1, 0, 20, later(T0, 21))  # read the evidence; its write is held back
    monkeypatch.setattr(reports, "cache", deferred.real)
    _report(learner, phone, 1, 0, 15, later(T0, 35), client=PHONE)
    deferred.apply()  # the PC's write lands after the phone's
    assert not SharingSuspicion.objects.exists()  # neither saw the other yet
    _report(learner, pc, 2, 20, 40, later(T0, 41))  # overlaps the phone's playback
    assert SharingSuspicion.objects.count() == 1


# P-8, P-17: time under a suspension is not watching time: the budget restarts at its end
def test_time_while_suspended_does_not_count(learner, spec):
    from elearn_plugin.standing import services as standing

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    standing.impose(
        learner.pk,
        "suspension",
        "sharing",
        "test:budget",
        starts_at=later(T0, 12),
        ends_at=later(T0, 312),
    )
    # After the five minutes' block a forged report claims 50 s since the last report.
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 2, 10, 60, later(T0, 320))
    assert exc.value.code == "too_fast"
    assert _report(learner, grant, 2, 10, 18, later(T0, 320)).accepted
    start, end, after_break = _progress(learner).pending_windows[-1]
    assert (start, end, after_break) == (later(T0, 312).timestamp(), later(T0, 320).timestamp(), 1)


# P-8, P-17: a block lifted early restarts the budget when it was lifted
def test_time_until_a_block_is_lifted_does_not_count(learner, spec, make_user):
    from freezegun import freeze_time

    from elearn_plugin.standing import services as standing

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    with freeze_time(later(T0, 12)):
        sanction, _created = standing.impose(
            learner.pk, "suspension", "sharing", "test:lift", ends_at=later(T0, 86400)
        )
    with freeze_time(later(T0, 200)):
        standing.lift(sanction.pk, actor=make_user(is_staff=True), reason="Wrongly suspected")
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 2, 10, 40, later(T0, 210))
    assert exc.value.code == "too_fast"
    assert _report(learner, grant, 2, 10, 20, later(T0, 210)).accepted


# P-34, P-17: time while learning was switched off is not watching time, and no learning
# time is written across it
def test_time_while_learning_was_off_does_not_count(learner, spec, make_user):
    from freezegun import freeze_time

    from elearn_plugin.killswitch import set_learning_enabled

    hr = make_user(is_staff=True)
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    with freeze_time(later(T0, 12)):
        set_learning_enabled(False, actor=hr)
    with freeze_time(later(T0, 30)):
        set_learning_enabled(True, actor=hr)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 2, 10, 40, later(T0, 40))  # 30 s claimed, 10 s since back on
    assert exc.value.code == "too_fast"
    assert _report(learner, grant, 2, 10, 20, later(T0, 40)).accepted
    services.flush_learning_time(idle_seconds=600, now=later(T0, 2000))
    spans = list(
        LearningActivity.objects.filter(user_id=learner.pk)
        .order_by("started_at")
        .values_list("started_at", "ended_at")
    )
    assert len(spans) == 2
    assert spans[0][1] <= later(T0, 12) and spans[1][0] >= later(T0, 30)


# P-17, P-33: a report that lost the race to another report is decided again on the new row
def test_report_racing_another_is_decided_again(learner, spec, monkeypatch):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    real_update = reports._update_progress
    rivals = []

    def rival_first(alias, progress, fields, **kwargs):
        if not rivals:
            rivals.append(None)
            rivals[0] = _report(learner, grant, 2, 10, 15, later(T0, 16))
        return real_update(alias, progress, fields, **kwargs)

    monkeypatch.setattr(reports, "_update_progress", rival_first)
    # Decided on the row after seq 1 (11 s of budget), written after the rival: decided again,
    # 10 s of media in the 6 s since the rival's report is too fast.
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 3, 10, 20, later(T0, 22))
    assert exc.value.code == "too_fast"
    progress = _progress(learner)
    assert (progress.last_seq, progress.intervals) == (2, [[0.0, 15.0]])


# P-17, P-33: a row changed meanwhile by the flush job costs one retry, not the report
def test_report_retries_once_after_a_concurrent_change(learner, spec, monkeypatch):
    from django.db.models import F

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    real_update = reports._update_progress
    calls = []

    def flushed_meanwhile(alias, progress, fields, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            WatchProgress.objects.filter(pk=progress.pk).update(version=F("version") + 1)
        return real_update(alias, progress, fields, **kwargs)

    monkeypatch.setattr(reports, "_update_progress", flushed_meanwhile)
    assert _report(learner, grant, 2, 10, 20, later(T0, 22)).watched_seconds == 20
    assert len(calls) == 2


# P-17, P-33: a row changed by every attempt answers 409 and the report changes nothing
def test_report_conflicting_twice_answers_409(learner, spec, monkeypatch):
    from django.db.models import F

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    real_update = reports._update_progress

    def always_changed(alias, progress, fields, **kwargs):
        WatchProgress.objects.filter(pk=progress.pk).update(version=F("version") + 1)
        return real_update(alias, progress, fields, **kwargs)

    monkeypatch.setattr(reports, "_update_progress", always_changed)
    with pytest.raises(WatchError) as exc:
        _report(learner, grant, 2, 10, 20, later(T0, 22))
    assert exc.value.code == "conflict" and exc.value.status == 409
    assert _progress(learner).intervals == [[0.0, 10.0]]


# P-17: a completion is written once even when the learner's two last reports race
def test_racing_final_reports_complete_once(learner, spec, monkeypatch):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 50, later(T0, 51))
    real_update = reports._update_progress
    rivals = []

    def rival_first(alias, progress, fields, **kwargs):
        if not rivals:
            rivals.append(None)
            rivals[0] = _report(learner, grant, 2, 50, 60, later(T0, 61))
        return real_update(alias, progress, fields, **kwargs)

    monkeypatch.setattr(reports, "_update_progress", rival_first)
    result = _report(learner, grant, 3, 50, 60, later(T0, 72))
    assert rivals[0].completion_created and not result.completion_created
    assert VideoCompletion.objects.count() == 1
    assert len(get_completion_adapter().calls) == 1
