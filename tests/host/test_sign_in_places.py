"""Concurrent sign-ins as evidence of account sharing, through the LMS's own sign-in (P-4).

Mirrors openedx-platform `openedx/core/djangoapps/user_authn/views/login.py`
(`_handle_successful_authentication_and_login`): after Django's `login()` the LMS sends
openedx-events' `SESSION_LOGIN_COMPLETED` (`openedx_events/learning/signals.py`) with
`user=UserData(pii=UserPersonalData(...), id, is_active)` and no address, inside the sign-in
request. The stand-in login view sends it the same way; the receiver is connected from
`host.receivers.RECEIVERS` by the stand-in `PluginsConfig`, and `PlacesMiddleware` is in the
MIDDLEWARE the plugin's settings extended, as in the LMS.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from freezegun import freeze_time

from elearn_plugin.sharing.models import SessionOverlap

LOGIN = "/api/user/v2/account/login_session/"
PASSWORD = "Right-pass-42"
OFFICE, ELSEWHERE = "10.1.0.7", "203.0.113.9"
PAGE = "/elearn/standing/me/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def learner(make_user):
    return make_user("ada", password=PASSWORD)


def _signed_in(address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"email_or_username": "ada", "password": PASSWORD})
    assert response.status_code == 200, response.content
    return client


def test_two_places_taking_turns_are_recorded_once(learner):  # P-4
    with freeze_time("2026-03-02 09:00:00"):
        office = _signed_in(OFFICE)
        office.get(PAGE)
    with freeze_time("2026-03-02 09:01:00"):
        elsewhere = _signed_in(ELSEWHERE)  # a second place while the first is in use
    with freeze_time("2026-03-02 09:02:00"):
        office.get(PAGE)  # ... and the first goes on: two people
    (row,) = SessionOverlap.objects.filter(user=learner)
    assert {row.evidence["first"]["ip"], row.evidence["second"]["ip"]} == {OFFICE, ELSEWHERE}
    for minute in range(3, 9):  # an afternoon of turns of the same two sessions
        with freeze_time(f"2026-03-02 09:{minute:02d}:00"):
            (elsewhere if minute % 2 else office).get(PAGE)
    assert SessionOverlap.objects.filter(user=learner).count() == 1


def test_moving_from_the_pc_to_the_phone_is_not_sharing(learner):  # P-19
    with freeze_time("2026-03-02 09:00:00"):
        pc = _signed_in(OFFICE)
        pc.get(PAGE)
    with freeze_time("2026-03-02 09:03:00"):
        phone = _signed_in(ELSEWHERE)  # on the train
    for minute in range(4, 40, 5):
        with freeze_time(f"2026-03-02 09:{minute:02d}:00"):
            phone.get(PAGE)
    with freeze_time("2026-03-02 11:00:00"):
        pc.get(PAGE)  # back at the desk hours later
    with freeze_time("2026-03-02 11:30:00"):
        phone.get(PAGE)
    assert not SessionOverlap.objects.exists()


def test_two_sessions_at_one_address_are_not_evidence(learner):  # P-19
    # A PC and a phone on the office network: one person, as far as anyone can tell.
    with freeze_time("2026-03-02 09:00:00"):
        pc = _signed_in(OFFICE)
    with freeze_time("2026-03-02 09:01:00"):
        phone = _signed_in(OFFICE)
    for second in range(0, 200, 25):
        with freeze_time("2026-03-02 09:02:00") as clock:
            clock.tick(second)
            (pc if second % 2 else phone).get(PAGE)
    assert not SessionOverlap.objects.exists()


def test_a_refused_sign_in_notes_nothing(learner):  # P-4
    with freeze_time("2026-03-02 09:00:00"):
        office = _signed_in(OFFICE)
    with freeze_time("2026-03-02 09:01:00"):
        wrong = Client(REMOTE_ADDR=ELSEWHERE)
        wrong.post(LOGIN, {"email_or_username": "ada", "password": "wrong"})
    with freeze_time("2026-03-02 09:02:00"):
        office.get(PAGE)
    assert not SessionOverlap.objects.exists()
