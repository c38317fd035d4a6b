"""Where a learner's sessions are used, and when that is evidence of sharing (P-4, P-19)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from elearn_plugin.audit import acting_as
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.policy.loader import load_policy
from elearn_plugin.sharing import places, services
from elearn_plugin.sharing.models import SessionOverlap, SharingIncident
from elearn_plugin.standing.blocks import active_block
from tests.unit.policy.helpers import DEFAULT

POLICY = load_policy(DEFAULT)
SUSPEND = replace(POLICY, sharing=replace(POLICY.sharing, action="suspend"))
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_use_coming_back_to_a_place_is_evidence(make_user):  # P-4
    user = make_user()
    assert places.note_place(user.pk, "a", "10.0.0.1", at(0)) is None
    assert places.note_place(user.pk, "b", "10.0.0.2", at(60)) is None  # one move
    row = places.note_place(user.pk, "a", "10.0.0.1", at(120))  # and back
    assert row is not None and row.evidence["turns"] == 2
    assert row.evidence["first"]["ip"] == "10.0.0.2"
    event = AuditEvent.objects.get(verb="sharing.suspected")
    assert event.data["signal_code"] == "concurrent_sign_in"
    assert event.actor_system == "system:sharing_detection"


def test_one_move_and_a_late_return_are_not(make_user):  # P-19
    user = make_user()
    places.note_place(user.pk, "pc", "10.0.0.1", at(0))
    places.note_place(user.pk, "phone", "10.0.0.2", at(120))
    places.note_place(user.pk, "phone", "10.0.0.2", at(1800))
    places.note_place(user.pk, "pc", "10.0.0.1", at(1800 + places.TURN_SECONDS + 1))
    places.note_place(user.pk, "phone", "10.0.0.2", at(1800 + places.TURN_SECONDS * 3))
    assert not SessionOverlap.objects.exists()


def test_turns_older_than_the_window_do_not_add_up(make_user):  # P-19
    user = make_user()
    places.note_place(user.pk, "a", "10.0.0.1", at(0))
    places.note_place(user.pk, "b", "10.0.0.2", at(60))  # move 1
    places.note_place(user.pk, "b", "10.0.0.2", at(60 + places.TURN_SECONDS - 10))
    # Back to a within the window of the last use of b, but move 1 is too old to count.
    places.note_place(user.pk, "a", "10.0.0.1", at(60 + places.TURN_SECONDS + 30))
    assert not SessionOverlap.objects.exists()


def _request(user, session_key: str, address: str):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.user = user
    request.session = _Session(session_key)
    return request


class _Session(dict):
    """A session as the request has it: a mapping with a key."""

    def __init__(self, key: str):
        super().__init__()
        self.session_key = key


def test_requests_are_noted_at_most_every_few_seconds_per_session(make_user, monkeypatch):
    user = make_user()
    noted = []
    monkeypatch.setattr(places, "note_place", lambda *args, **kw: noted.append(args))
    first = _request(user, "k1", "10.0.0.1")
    for _ in range(5):  # the same session's requests within a few seconds
        second = _request(user, "k1", "10.0.0.1")
        second.session = first.session
        places.note_request(second)
    places.note_request(_request(user, "k2", "10.0.0.1"))
    assert len(noted) == 2
    assert "k1" not in str(noted)  # the session key itself is never kept


def test_staff_and_token_requests_are_not_watched(make_user, monkeypatch):
    noted = []
    monkeypatch.setattr(places, "note_place", lambda *args, **kw: noted.append(args))
    places.note_request(_request(make_user(is_staff=True), "k1", "10.0.0.1"))
    token_request = _request(make_user(), "", "10.0.0.1")
    places.note_request(token_request)
    assert noted == []


def test_a_failing_cache_never_breaks_a_page(make_user, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(places, "note_request", broken)
    middleware = places.PlacesMiddleware(lambda request: "page")
    assert middleware(_request(make_user(), "k1", "10.0.0.1")) == "page"


def test_sign_in_evidence_becomes_one_suspension(make_user):  # P-4
    user = make_user()
    for n in range(3):  # three pairs of sessions in one morning: one incident
        base = n * 3600
        places.note_place(user.pk, f"a{n}", "10.0.0.1", at(base))
        places.note_place(user.pk, f"b{n}", "10.0.0.2", at(base + 30))
        places.note_place(user.pk, f"a{n}", "10.0.0.1", at(base + 60))
    assert SessionOverlap.objects.count() == 3
    with acting_as("job:sharing.judge"):
        counts = services.judge_sharing(SUSPEND, now=at(4 * 3600))
    assert counts["incidents"] == 1
    incident = SharingIncident.objects.get()
    assert len(incident.sign_in_ids) == 3 and incident.suspicion_ids == []
    recorded = AuditEvent.objects.get(verb="sharing.incident_recorded")
    assert recorded.data["sign_in_count"] == 3
    block = active_block(user.pk, now=at(4 * 3600 + 1))
    assert block.kind == "suspension" and block.reason_code == "sharing"
    # A week, then it lifts itself.
    assert active_block(user.pk, now=at(4 * 3600) + timedelta(days=7, seconds=1)) is None
    assert not SessionOverlap.objects.filter(handled_at__isnull=True).exists()
    with acting_as("job:sharing.judge"):
        assert services.judge_sharing(SUSPEND, now=at(5 * 3600))["incidents"] == 0
