"""The retention job erases exactly the address and timing evidence that expired, keeps what
an open sharing case or a live suspension needs, and changes nothing when run again
(P-32, P-33)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.privacy import retention
from elearn_plugin.privacy.retention import erase_expired
from elearn_plugin.sharing.models import IncidentStatus, SessionOverlap, SharingIncident
from elearn_plugin.standing.models import Sanction
from elearn_plugin.video.models import SharingSuspicion, WatchProgress, WatchSession

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
_n = itertools.count(1)


@pytest.fixture
def policy():
    return get_policy()


def session(user, at: datetime) -> WatchSession:
    n = next(_n)
    return WatchSession.objects.create(
        user=user, course_key="course-v1:O+R+1", block_key=f"b{n}", created_at=at,
        ip=f"10.1.0.{n % 250}", user_agent_hash="ua", browser_hash="br",
    )  # fmt: skip


def suspicion(user, at: datetime, *, handled=True) -> SharingSuspicion:
    return SharingSuspicion.objects.create(
        user=user, first_session=session(user, at), second_session=session(user, at),
        detected_at=at, evidence={"first": {"ip": "10.0.0.1"}}, handled_at=at if handled else None,
    )  # fmt: skip


def overlap(user, at: datetime, *, handled=True) -> SessionOverlap:
    return SessionOverlap.objects.create(
        user=user, key=f"k{next(_n)}", detected_at=at, evidence={"first": {"ip": "10.0.0.2"}},
        handled_at=at if handled else None,
    )  # fmt: skip


def ip_of(row: WatchSession) -> str | None:
    return WatchSession.objects.get(pk=row.pk).ip


def evidence_of(row) -> dict:
    return type(row).objects.get(pk=row.pk).evidence


def test_the_default_periods(policy):
    assert (policy.privacy.ip_address_days, policy.privacy.watch_timing_days) == (180, 400)


# P-32: one second before the period ends nothing goes; one second after, it does.
def test_addresses_are_erased_exactly_when_they_expire(db, make_user, policy):
    user = make_user()
    cutoff = NOW - timedelta(days=180)
    older, younger = session(user, cutoff - SECOND), session(user, cutoff + SECOND)
    at_cutoff = session(user, cutoff)
    old_overlap, young_overlap = overlap(user, cutoff - SECOND), overlap(user, cutoff + SECOND)

    result = erase_expired(policy, now=NOW)

    assert result == {"addresses": 2, "timing": 0}
    assert ip_of(older) is None and ip_of(at_cutoff) is not None and ip_of(younger) is not None
    blanked = WatchSession.objects.get(pk=older.pk)
    assert (blanked.user_agent_hash, blanked.browser_hash) == ("", "")
    assert evidence_of(old_overlap) == {} and evidence_of(young_overlap) != {}
    assert WatchSession.objects.count() == 3  # the sessions stay until the timing period


def test_timing_is_deleted_exactly_when_it_expires(db, make_user, policy):
    user = make_user()
    cutoff = NOW - timedelta(days=400)
    older, younger = session(user, cutoff - SECOND), session(user, cutoff + SECOND)
    old_signal, young_signal = suspicion(user, cutoff - SECOND), suspicion(user, cutoff + SECOND)
    old_overlap = overlap(user, cutoff - SECOND)

    result = erase_expired(policy, now=NOW)

    assert not WatchSession.objects.filter(pk=older.pk).exists()
    assert not SharingSuspicion.objects.filter(pk=old_signal.pk).exists()
    assert not SessionOverlap.objects.filter(pk=old_overlap.pk).exists()
    assert WatchSession.objects.filter(pk=younger.pk).exists()
    assert SharingSuspicion.objects.filter(pk=young_signal.pk).exists()
    # The young suspicion keeps its sessions; their addresses are blanked (older than 180 d).
    kept = WatchSession.objects.get(pk=young_signal.first_session_id)
    assert kept.ip is None
    assert result["timing"] == 1 + 2 + 1 + 1  # suspicion, its 2 sessions, overlap, session


def test_a_second_run_changes_nothing(db, make_user, policy):
    user = make_user()
    for days in (10, 200, 500):
        session(user, NOW - timedelta(days=days))
        suspicion(user, NOW - timedelta(days=days))
        overlap(user, NOW - timedelta(days=days))
    first = erase_expired(policy, now=NOW)
    snapshot = (
        sorted(WatchSession.objects.values_list("pk", "ip", "user_agent_hash")),
        sorted(SharingSuspicion.objects.values_list("pk", "evidence")),
        sorted(SessionOverlap.objects.values_list("pk", "evidence")),
    )
    events = AuditEvent.objects.filter(verb="privacy.retention_erased").count()

    assert erase_expired(policy, now=NOW) == {"addresses": 0, "timing": 0}

    assert first["addresses"] and first["timing"]
    assert snapshot == (
        sorted(WatchSession.objects.values_list("pk", "ip", "user_agent_hash")),
        sorted(SharingSuspicion.objects.values_list("pk", "evidence")),
        sorted(SessionOverlap.objects.values_list("pk", "evidence")),
    )
    assert events == 1 == AuditEvent.objects.filter(verb="privacy.retention_erased").count()


def test_evidence_of_a_flagged_incident_or_a_live_suspension_is_kept(db, make_user, policy):
    flagged_user, suspended_user, done_user = make_user(), make_user(), make_user()
    old = NOW - timedelta(days=500)
    kept_flagged, kept_sign_in = suspicion(flagged_user, old), overlap(flagged_user, old)
    SharingIncident.objects.create(
        user=flagged_user, starts_at=old, ends_at=old, status=IncidentStatus.FLAGGED,
        suspicion_ids=[kept_flagged.pk], sign_in_ids=[kept_sign_in.pk],
    )  # fmt: skip
    kept_live = suspicion(suspended_user, old)
    live = Sanction.objects.create(
        user=suspended_user, kind="suspension", reason_code="sharing", source="s:1",
        starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=6),
    )  # fmt: skip
    SharingIncident.objects.create(
        user=suspended_user, starts_at=old, ends_at=old, status=IncidentStatus.SUSPENDED,
        suspicion_ids=[kept_live.pk], sanction=live,
    )  # fmt: skip
    gone = suspicion(done_user, old)
    ended = Sanction.objects.create(
        user=done_user, kind="suspension", reason_code="sharing", source="s:2",
        starts_at=old, ends_at=old + timedelta(days=7),
    )  # fmt: skip
    SharingIncident.objects.create(
        user=done_user, starts_at=old, ends_at=old, status=IncidentStatus.SUSPENDED,
        suspicion_ids=[gone.pk], sanction=ended,
    )  # fmt: skip
    unjudged = suspicion(done_user, old, handled=False)

    erase_expired(policy, now=NOW)

    for row in (kept_flagged, kept_live, unjudged):
        assert evidence_of(row) != {}
        assert ip_of(row.first_session) is not None and ip_of(row.second_session) is not None
    assert evidence_of(kept_sign_in) != {}
    assert not SharingSuspicion.objects.filter(pk=gone.pk).exists()
    assert SharingIncident.objects.count() == 3  # the incidents and sanctions are the archive
    assert Sanction.objects.count() == 2


def test_a_progress_rows_current_session_is_kept_but_its_address_goes(db, make_user, policy):
    user = make_user()
    current = session(user, NOW - timedelta(days=500))
    WatchProgress.objects.create(
        user=user, course_key=current.course_key, block_key=current.block_key, duration=60,
        session=current, pending_windows=[[1.0, 30.0]],
    )  # fmt: skip
    erase_expired(policy, now=NOW)
    assert WatchSession.objects.filter(pk=current.pk).exists()
    assert ip_of(current) is None


def test_rows_are_erased_in_chunks_with_one_statement_each(
    db, make_user, policy, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(retention, "CHUNK", 3)
    users = [make_user() for _ in range(4)]
    for user in users:
        for _ in range(2):
            session(user, NOW - timedelta(days=200))
    # 8 rows in chunks of 3: 3 id reads + 3 updates + the final empty read, plus the other
    # tables' empty reads, the kept evidence and the audit event: the same for 4 or 400.
    with django_assert_max_num_queries(30):
        result = erase_expired(policy, now=NOW)
    assert result["addresses"] == 8
    assert not WatchSession.objects.filter(ip__isnull=False).exists()


def test_shorter_periods_in_the_policy_are_applied(db, make_user, policy):
    user = make_user()
    row = session(user, NOW - timedelta(days=8))
    short = replace(policy, privacy=replace(policy.privacy, ip_address_days=7))
    erase_expired(short, now=NOW)
    assert ip_of(row) is None


def test_the_tick_job_is_registered():
    from elearn_plugin.tick.registry import discover_jobs

    assert "privacy.retention" in discover_jobs()
