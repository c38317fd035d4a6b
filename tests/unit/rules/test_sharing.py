"""Incidents of account sharing: one per account and window (P-4)."""

from datetime import UTC, datetime, timedelta

import pytest

from elearn_plugin.rules.sharing import SIGN_IN, Evidence, group_incidents

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_evidence_within_the_window_is_one_incident():  # P-4
    items = [Evidence(7, n, T0 + timedelta(hours=n * 5)) for n in range(4)]  # 0..15 h
    (incident,) = group_incidents(items, DAY)
    assert (incident.starts_at, incident.ends_at, incident.evidence_ids) == (
        T0,
        T0 + timedelta(hours=15),
        (0, 1, 2, 3),
    )


def test_evidence_after_the_window_opens_the_next_incident():  # P-4
    items = [Evidence(7, 1, T0), Evidence(7, 2, T0 + DAY), Evidence(7, 3, T0 + DAY * 1.5)]
    incidents = group_incidents(reversed(items), DAY)
    assert [i.evidence_ids for i in incidents] == [(1,), (2, 3)]


def test_each_account_has_its_own_incidents():  # P-4
    incidents = group_incidents([Evidence(2, 1, T0), Evidence(1, 2, T0)], DAY)
    assert [(i.user_id, i.evidence_ids) for i in incidents] == [(1, (2,)), (2, (1,))]
    assert group_incidents([], DAY) == []


def test_the_window_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        group_incidents([Evidence(1, 1, T0)], timedelta(0))


def test_playback_and_sign_in_evidence_make_one_incident():  # P-4
    items = [
        Evidence(7, 1, T0),
        Evidence(7, 1, T0 + timedelta(hours=1), SIGN_IN),
        Evidence(7, 2, T0 + timedelta(hours=2)),
    ]
    (incident,) = group_incidents(items, DAY)
    assert (incident.evidence_ids, incident.sign_in_ids) == ((1, 2), (1,))
