"""The report's hot path: its two statements, the pending windows and who is refused (P-17).

The read is a plain SELECT (no lock: the versioned UPDATE decides a race, ADR 0004) that also
returns when the learner's latest block ended.

The report reads and writes the progress row with statements written once from the model's
metadata; these tests hold them to what the ORM reads and writes, and hold the pending
learning windows to the same learning periods the flush computed before they were joined.
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.rules import watch as rules
from elearn_plugin.video import fast_report_sql, learning_time, services
from elearn_plugin.video.models import WatchProgress
from tests.unit.video.conftest import BLOCK, OFFICE, SUNDAY_EVENING, later

T0 = SUNDAY_EVENING
GAP = 40.0  # twice the default report interval
REPORT = reverse("elearn:video-report")


def _report(user, grant, seq, start, end, at):
    body = {"token": grant.token, "seq": seq, "start": start, "end": end}
    return services.accept_report(user, body, OFFICE, now=at)


def _progress(user):
    return WatchProgress.objects.get(user_id=user.pk, block_key=BLOCK)


# P-17: the row read by the report's own statement equals the ORM's (JSON, aware date-times)
def test_read_matches_the_orm(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    expected = _progress(learner)
    row, block_end = fast_report_sql._read_progress("default", learner.pk, BLOCK, later(T0, 12))
    assert row is not None and row.pk == expected.pk and block_end is None
    for field in WatchProgress._meta.concrete_fields:
        assert getattr(row, field.attname) == getattr(expected, field.attname), field.name
    assert row.last_report_at.tzinfo is not None
    assert row.intervals == [[0.0, 10.0]] and row.last_report == [0.0, 10.0]
    assert fast_report_sql._read_progress("default", learner.pk, "block-v1:none", T0) == (
        None,
        None,
    )


# P-8, P-17: the same read says when the learner's latest block ended (end or lift, first)
def test_read_returns_the_end_of_the_latest_block(learner, spec):
    from elearn_plugin.standing import services as standing
    from elearn_plugin.standing.models import Sanction

    services.start_session(learner, spec, OFFICE, now=T0)
    now = later(T0, 1000)
    ended = standing.impose(
        learner.pk, "suspension", "sharing", "t:1", starts_at=later(T0, 10), ends_at=later(T0, 20)
    )[0]
    standing.impose(learner.pk, "warning", "missed_tasks", "t:2", starts_at=later(T0, 30))
    standing.impose(  # starts after `now`: not yet a block
        learner.pk,
        "suspension",
        "sharing",
        "t:3",
        starts_at=later(T0, 2000),
        ends_at=later(T0, 3000),
    )
    assert fast_report_sql._read_progress("default", learner.pk, BLOCK, now)[1] == later(T0, 20)
    lifted = standing.impose(
        learner.pk, "freeze", "departure", "t:4", starts_at=later(T0, 40), ends_at=None
    )[0]
    Sanction.objects.filter(pk=lifted.pk).update(lifted_at=later(T0, 50))
    assert fast_report_sql._read_progress("default", learner.pk, BLOCK, now)[1] == later(T0, 50)
    # Lifted before it started: it never blocked.
    Sanction.objects.filter(pk=lifted.pk).update(lifted_at=later(T0, 35))
    assert fast_report_sql._read_progress("default", learner.pk, BLOCK, now)[1] == later(T0, 20)
    assert ended.ends_at == later(T0, 20)


# P-17, P-33: an update against a version already changed writes nothing
def test_update_with_a_stale_version_changes_nothing(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    stale = _progress(learner)
    _report(learner, grant, 2, 10, 20, later(T0, 21))
    before = _progress(learner)
    fields = {name: getattr(stale, name) for name in fast_report_sql._REPORT_FIELDS}
    fields["intervals"] = [[0.0, 60.0]]
    assert fast_report_sql._update_progress("default", stale, fields) is False
    after = _progress(learner)
    assert (after.intervals, after.version, after.last_seq) == (
        before.intervals,
        before.version,
        before.last_seq,
    )


# P-17: the written values are read back exactly by the ORM
def test_update_writes_what_the_orm_reads(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 10, later(T0, 11))
    progress = _progress(learner)
    fields = {name: getattr(progress, name) for name in fast_report_sql._REPORT_FIELDS}
    fields.update(
        intervals=[[0.0, 10.0], [12.5, 13.0]],
        last_report=[12.5, 13.0],
        last_report_at=later(T0, 30),
        pending_windows=[[1.5, 2.25]],
        version=progress.version + 1,
    )
    assert fast_report_sql._update_progress("default", progress, fields) is True
    stored = _progress(learner)
    for name, value in fields.items():
        assert getattr(stored, name) == value, name


# P-17: the first report of a session whose row is gone (superseded elsewhere) is refused
def test_report_without_a_progress_row_is_refused(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    WatchProgress.objects.filter(user_id=learner.pk).delete()
    with pytest.raises(services.WatchError) as exc:
        _report(learner, grant, 1, 0, 10, later(T0, 11))
    assert exc.value.code == "superseded" and exc.value.status == 409


@pytest.mark.parametrize(
    ("windows", "start", "end", "expected"),
    [
        ([], 100.0, 110.0, [[100.0, 110.0]]),
        ([[100.0, 110.0]], 110.0, 130.0, [[100.0, 130.0]]),
        ([[100.0, 110.0]], 150.0, 160.0, [[100.0, 160.0]]),  # a gap of exactly GAP joins
        ([[100.0, 110.0]], 150.5, 160.0, [[100.0, 110.0], [150.5, 160.0]]),
        ([[100.0, 110.0]], 90.0, 95.0, [[100.0, 110.0], [90.0, 95.0]]),  # never rewinds
        ([[0.0, 1.0], [100.0, 110.0]], 120.0, 125.0, [[0.0, 1.0], [100.0, 125.0]]),
    ],
)
# P-20: a window continuing the last one is joined to it, as the flush would join them
def test_append_window(windows, start, end, expected):
    before = json.dumps(windows)
    assert learning_time._append_window(windows, start, end, GAP) == expected
    assert json.dumps(windows) == before  # the row's value is not changed in place
    joined_then = rules.coalesce_windows([*windows, [start, end]], GAP)
    assert rules.coalesce_windows(expected, GAP) == joined_then


# P-20: many reports keep one pending window per viewing, and the time written is the same
def test_pending_windows_stay_one_per_viewing(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    for seq in range(1, 6):
        _report(learner, grant, seq, (seq - 1) * 5, seq * 5, later(T0, seq * 5 + 1))
    # A pause of ten minutes: a new viewing.
    _report(learner, grant, 6, 25, 30, later(T0, 631))
    pending = _progress(learner).pending_windows
    assert len(pending) == 2
    assert services.flush_learning_time(idle_seconds=600, now=later(T0, 1300)) == 2
    seconds = sorted(
        LearningActivity.objects.filter(user_id=learner.pk).values_list("seconds", flat=True)
    )
    assert seconds == [5, 25]


# P-20, P-33: a report extending the last window while the flush runs loses no time
def test_flush_keeps_an_extension_of_a_written_window(learner, spec):
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    _report(learner, grant, 1, 0, 20, later(T0, 21))
    row = (
        WatchProgress.objects.filter(user_id=learner.pk)
        .values("pk", "user_id", "course_key", "session_id", "pending_windows", "version")
        .get()
    )
    written = row["pending_windows"]
    # Meanwhile a report extends the last window and adds a new one.
    extended = [[written[0][0], written[0][1] + 10.0], [written[0][1] + 500.0, written[0][1] + 510]]
    WatchProgress.objects.filter(pk=row["pk"]).update(
        pending_windows=extended, version=row["version"] + 1
    )
    learning_time._drop_written_windows([row])
    assert _progress(learner).pending_windows == [
        [written[0][1], written[0][1] + 10.0],
        extended[1],
    ]


# P-8, P-17: a learner suspended while signed in is refused by the next report, nothing stored
def test_suspended_learner_is_refused_at_the_report(learner, spec, client):
    from elearn_plugin.standing import services as standing

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    client.force_login(learner)
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 10}
    with freeze_time(later(T0, 11)):
        ok = client.post(REPORT, json.dumps(body), content_type="application/json")
        assert ok.status_code == 200
        before = _progress(learner).version
        standing.impose(learner.pk, "suspension", "sharing", "test:1", ends_at=later(T0, 86400))
        body.update(seq=2, start=10, end=20)
        refused = client.post(REPORT, json.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    assert _progress(learner).version == before


# P-8, P-17: the same refusal reaches a client without a session (the gate, not the middleware)
def test_suspended_token_client_is_refused_by_the_gate(learner, spec, settings):
    from elearn_plugin.standing import services as standing

    settings.ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES = [
        "tests.unit.video.test_views.BearerIdAuthentication"
    ]
    grant = services.start_session(learner, spec, OFFICE, now=T0)
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer user-{learner.pk}"}
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 10}
    with freeze_time(later(T0, 11)):
        standing.impose(learner.pk, "suspension", "sharing", "test:2", ends_at=later(T0, 86400))
        refused = client.post(REPORT, json.dumps(body), content_type="application/json", **auth)
    assert refused.status_code == 403
    assert _progress(learner).last_seq == 0
    with freeze_time(later(T0, 12)), pytest.raises(services.WatchError) as exc:
        _report(learner, grant, 1, 0, 10, later(T0, 12))
    assert exc.value.code == "suspended"


# P-34: the kill switch refuses reports at once, through the full stack
def test_kill_switch_refuses_reports(learner, spec, client, make_user):
    from elearn_plugin.killswitch import set_learning_enabled

    grant = services.start_session(learner, spec, OFFICE, now=T0)
    client.force_login(learner)
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 10}
    set_learning_enabled(False, actor=make_user(is_staff=True))
    with freeze_time(later(T0, 11)):
        refused = client.post(REPORT, json.dumps(body), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "learning_off"
    assert _progress(learner).last_seq == 0


# P-17: the statements hold only placeholders for values, and take no lock (ADR 0004)
def test_statements_hold_placeholders_and_take_no_lock():
    statements = fast_report_sql._report_statements("default", connection.vendor)
    assert statements.select.count("%s") == 4 + len(statements.block_kinds)
    assert statements.update.count("%s") == len(fast_report_sql._REPORT_FIELDS) + 2
    assert "FOR UPDATE" not in statements.select
