"""The watch report's own statements on MariaDB and Redis: read, versioned update (P-17).

A report reads no lock: it decides on the row as the previous report left it (Redis) or as
the database has it, and writes with `UPDATE … WHERE version = v`; a report that lost the
race decides again on the new row (ADR 0004). These tests hold that to MariaDB's answers
(found rows, JSON and date-time conversion) and to concurrent reports of one learner.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections

from elearn_plugin.video import fast_report_sql, progress_cache
from elearn_plugin.video import services as video_services

pytestmark = pytest.mark.django_db

BLOCK = "block-v1:Org+IT+2026+type@elearn_video+block@intro"
COURSE = "course-v1:Org+IT+2026"
# Sunday 2026-01-11 20:00 in Asia/Shanghai: outside working hours.
T0 = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def video():
    cache.clear()
    yield video_services
    cache.clear()


def test_reports_round_trip_without_a_lock(make_user, video):
    # P-17: the read maps JSON and date-times like the ORM, and takes no lock.
    from elearn_plugin.video.models import WatchProgress

    learner = make_user()
    spec = video.VideoSpec(BLOCK, COURSE, 60.0)
    grant = video.start_session(learner, spec, now=T0)
    for seq in range(1, 4):
        body = {"token": grant.token, "seq": seq, "start": (seq - 1) * 10, "end": seq * 10}
        assert video.accept_report(learner, body, now=_at(seq * 10 + 1)).accepted
    statements = fast_report_sql._report_statements("default", connection.vendor)
    assert "FOR UPDATE" not in statements.select
    expected = WatchProgress.objects.get(user_id=learner.pk, block_key=BLOCK)
    row, block_end = fast_report_sql._read_progress("default", learner.pk, BLOCK, _at(40))
    for field in WatchProgress._meta.concrete_fields:
        assert getattr(row, field.attname) == getattr(expected, field.attname), field.name
    assert row.intervals == [[0.0, 30.0]] and row.last_report_at == _at(31)
    assert len(row.pending_windows) == 1 and block_end is None
    # The row the last report left in Redis is the database's row.
    cached = progress_cache._progress_from_cache(
        "default", cache.get(progress_cache._progress_key(learner.pk, BLOCK))
    )
    for field in WatchProgress._meta.concrete_fields:
        assert getattr(cached, field.attname) == getattr(expected, field.attname), field.name


def test_stale_version_changes_nothing(make_user, video):
    # P-17, P-33: the conditional update matches rows (not changed rows) and refuses a stale one.
    from elearn_plugin.video.models import WatchProgress

    learner = make_user()
    grant = video.start_session(learner, video.VideoSpec(BLOCK, COURSE, 60.0), now=T0)
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 10}
    video.accept_report(learner, body, now=_at(11))
    progress = WatchProgress.objects.get(user_id=learner.pk)
    same = {name: getattr(progress, name) for name in fast_report_sql._REPORT_FIELDS}
    same["version"] = progress.version + 1
    # Identical values still count as one matched row (the backend reports found rows).
    assert fast_report_sql._update_progress("default", progress, same) is True
    assert fast_report_sql._update_progress("default", progress, same) is False
    assert WatchProgress.objects.get(pk=progress.pk).version == progress.version + 1


def test_guarded_update_refuses_after_a_block_ended(make_user, video):
    # P-8, P-17: the update decided on the cached row also checks no block ended since.
    from elearn_plugin.standing import services as standing
    from elearn_plugin.video.models import WatchProgress

    learner = make_user()
    grant = video.start_session(learner, video.VideoSpec(BLOCK, COURSE, 60.0), now=T0)
    video.accept_report(
        learner, {"token": grant.token, "seq": 1, "start": 0, "end": 10}, now=_at(11)
    )
    standing.impose(
        learner.pk, "suspension", "sharing", "it:1", starts_at=_at(12), ends_at=_at(300)
    )
    progress = WatchProgress.objects.get(user_id=learner.pk)
    fields = {name: getattr(progress, name) for name in fast_report_sql._REPORT_FIELDS}
    fields.update(version=progress.version + 1, last_report_at=_at(400))
    assert (
        fast_report_sql._update_progress("default", progress, fields, unblocked_since=_at(11))
        is False
    )
    assert (
        fast_report_sql._update_progress("default", progress, fields, unblocked_since=_at(300))
        is True
    )
    # The report itself: 50 s claimed after the block, 100 s of real time since it ended.
    with pytest.raises(video.WatchError) as refused:
        video.accept_report(
            learner, {"token": grant.token, "seq": 2, "start": 10, "end": 60}, now=_at(330)
        )
    assert refused.value.code == "too_fast"


def test_concurrent_reports_of_one_learner_never_double_count(make_user, video, transactional_db):
    # P-17, P-33: reports sent at once (two tabs' keepalives, a retry) on separate connections:
    # every accepted one is applied exactly once, the others are refused, the row stays whole.
    from elearn_plugin.video.models import WatchProgress

    learner = make_user()
    grant = video.start_session(learner, video.VideoSpec(BLOCK, COURSE, 600.0), now=T0)
    video.accept_report(
        learner, {"token": grant.token, "seq": 1, "start": 0, "end": 10}, now=_at(11)
    )
    before = WatchProgress.objects.get(user_id=learner.pk).version
    threads = 6
    barrier = threading.Barrier(threads)
    outcomes: list = [None] * threads

    def send(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            body = {"token": grant.token, "seq": 2 + i, "start": 10, "end": 11 + i}
            video.accept_report(learner, body, now=_at(100))
            outcomes[i] = ("accepted", body["end"])
        except video.WatchError as exc:
            outcomes[i] = (exc.code, None)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=send, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert all(outcome is not None for outcome in outcomes), outcomes
    accepted = [end for code, end in outcomes if code == "accepted"]
    assert accepted, outcomes
    refusals = {"stale_sequence", "too_fast", "conflict"}
    assert {code for code, _end in outcomes} <= {"accepted", *refusals}, outcomes
    progress = WatchProgress.objects.get(user_id=learner.pk)
    # Each accepted report wrote one version; nothing else did.
    assert progress.version == before + len(accepted)
    assert progress.intervals == [[0.0, float(max(accepted))]]
    assert progress.last_seq == 2 + max(
        i for i, (code, _end) in enumerate(outcomes) if code == "accepted"
    )
