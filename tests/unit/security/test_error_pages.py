"""Error answers leak nothing: no traceback, no exception text, no other learner (P-32)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from elearn_plugin.org.models import Person
from elearn_plugin.video import services as video
from tests.unit.video.conftest import OFFICE, SUNDAY_EVENING, later

EMAIL = "li.hua@corp.example"


def _secrets(user) -> list[str]:
    person = Person.objects.filter(user=user).first()
    names = [user.get_username(), user.email]
    if person is not None:
        names.append(person.name)
    return [n for n in names if n]


def _assert_names_none(response, user) -> None:
    body = response.content.decode()
    leaked = [s for s in _secrets(user) if s.lower() in body.lower()]
    assert not leaked, f"{response.status_code} answer names another learner: {leaked}"


@pytest.mark.parametrize(
    ("url_name", "target", "method"),
    [
        ("elearn:health", "elearn_plugin.tick.views.health", "get"),
        ("elearn:standing-me", "elearn_plugin.standing.views.services.active_block", "get"),
        ("elearn:video-state", "elearn_plugin.video.views.services.learner_state", "get"),
    ],
)
# P-32: an unexpected error inside a plugin view answers 500 without its text (DEBUG off)
def test_server_error_shows_no_exception_text(role_users, monkeypatch, url_name, target, method):
    def broken(*args, **kwargs):
        raise RuntimeError(f"unexpected state for {EMAIL}")

    monkeypatch.setattr(target, broken)
    client = Client(raise_request_exception=False)
    client.force_login(role_users.hr)
    data = {"block_key": "block-v1:Org+C1+2026+type@elearn_video+block@x"}
    response = getattr(client, method)(reverse(url_name), data)
    assert response.status_code == 500
    body = response.content.decode()
    assert EMAIL not in body and "Traceback" not in body and "RuntimeError" not in body


# P-31, P-32: refusals of the API and pages name no other learner
def test_refusals_name_no_other_learner(client, role_users):
    other = role_users.other_learner
    client.force_login(role_users.contact)
    slot = {
        "user_id": other.pk,
        "starts_at": "2026-01-06 09:00",
        "ends_at": "2026-01-06 10:00",
        "reason": "x",
    }
    refused = client.post(
        reverse("elearn:learning-grant-slot"), json.dumps(slot), content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["message"]
    _assert_names_none(refused, other)
    page = client.post(reverse("elearn:learning-grant-slot-page"), slot)
    assert page.status_code == 403
    _assert_names_none(page, other)
    for bad in ({**slot, "starts_at": "nope"}, {**slot, "user_id": 10**9}):
        client.force_login(role_users.hr)
        response = client.post(
            reverse("elearn:learning-grant-slot"), json.dumps(bad), content_type="application/json"
        )
        assert response.status_code == 400
        _assert_names_none(response, other)


# P-17, P-32: another learner's watch token is refused without naming its owner
def test_foreign_watch_token_names_no_owner(client, role_users):
    spec = video.VideoSpec(
        block_key="block-v1:Org+C1+2026+type@elearn_video+block@p32e",
        course_key="course-v1:Org+C1+2026",
        duration=60.0,
    )
    with freeze_time(SUNDAY_EVENING):
        grant = video.start_session(role_users.other_learner, spec, OFFICE, now=SUNDAY_EVENING)
    client.force_login(role_users.learner)
    with freeze_time(later(SUNDAY_EVENING, 20)):
        response = client.post(
            reverse("elearn:video-report"),
            json.dumps({"token": grant.token, "seq": 1, "start": 0, "end": 10}),
            content_type="application/json",
        )
    assert 400 <= response.status_code < 500
    _assert_names_none(response, role_users.other_learner)


# P-31, P-32: HR's lift page for an unknown sanction is a plain 404
def test_unknown_sanction_is_a_plain_404(client, role_users):
    client.force_login(role_users.hr)
    response = client.get(reverse("elearn:standing-lift", args=[10**9]))
    assert response.status_code == 404
