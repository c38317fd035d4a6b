"""Enrolment adapter: the LMS bulk enrolment REST API, checked with recorded responses."""

import json
import logging
from urllib.parse import parse_qs

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from elearn_plugin.host.enrollment import (
    EnrollmentError,
    FakeEnrollmentAdapter,
    PlatformEnrollmentAdapter,
    get_enrollment_adapter,
)

LMS = "https://lms.example.org"
TOKEN_URL = f"{LMS}/oauth2/access_token"
ENROLL_URL = f"{LMS}/api/bulk_enroll/v1/bulk_enroll"
COURSE = "course-v1:ElearnDemo+SAFE101+2026"

CONFIG = {
    "ELEARN_LMS_BASE_URL": LMS + "/",
    "ELEARN_LMS_OAUTH_CLIENT_ID": "elearn-client",
    "ELEARN_LMS_OAUTH_CLIENT_SECRET": "elearn-secret",
    "ELEARN_ENROLL_CHUNK_SIZE": 2,
}


def _row(name, before=False, after=True):
    state = {"user": True, "allowed": False, "auto_enroll": False}
    return {
        "identifier": name,
        "before": {**state, "enrollment": before},
        "after": {**state, "enrollment": after},
    }


def _answer(request):
    """An LMS that enrols known users; 'learner02' was enrolled before, 'ghost' is unknown."""
    body = json.loads(request.body)
    rows = []
    for name in body["identifiers"].split(","):
        if name == "ghost":
            rows.append({"identifier": name, "invalidIdentifier": True})
        else:
            rows.append(_row(name, before=name == "learner02"))
    payload = {
        "action": "enroll",
        "auto_enroll": True,
        "email_students": False,
        "courses": {body["courses"]: {"action": "enroll", "auto_enroll": True, "results": rows}},
    }
    return 200, {}, json.dumps(payload)


@pytest.fixture(autouse=True)
def lms_settings():
    PlatformEnrollmentAdapter.forget_token()
    with override_settings(**CONFIG):
        yield
    PlatformEnrollmentAdapter.forget_token()


@responses.activate
def test_bulk_enroll_contract(caplog):
    # P-14: assigned learners are enrolled on the host through its bulk enrolment API.
    responses.post(
        TOKEN_URL, json={"access_token": "tok-1", "token_type": "JWT", "expires_in": 3600}
    )
    responses.add_callback(responses.POST, ENROLL_URL, callback=_answer)
    caplog.set_level(logging.DEBUG)

    names = ["learner01", "learner02", "ghost", "learner04", "learner01"]
    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, names)

    assert result.enrolled == ["learner01", "learner04"]
    assert result.already == ["learner02"]
    assert result.invalid == ["ghost"]
    assert result.failed == []
    assert not result.ok

    token_call, *enroll_calls = responses.calls
    form = parse_qs(token_call.request.body)
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["elearn-client"],
        "client_secret": ["elearn-secret"],
        "token_type": ["jwt"],
    }
    # chunks of 2 (setting), duplicates removed, JWT header, no email to learners
    assert len(enroll_calls) == 2
    first = json.loads(enroll_calls[0].request.body)
    assert first == {
        "action": "enroll",
        "auto_enroll": True,
        "email_students": False,
        "courses": COURSE,
        "identifiers": "learner01,learner02",
    }
    assert enroll_calls[0].request.headers["Authorization"] == "JWT tok-1"
    # P-32: usernames never reach the log
    assert "learner0" not in caplog.text


@responses.activate
def test_token_is_reused_and_refreshed_once_on_401():
    responses.post(TOKEN_URL, json={"access_token": "old", "expires_in": 3600})
    responses.post(TOKEN_URL, json={"access_token": "new", "expires_in": 3600})
    responses.post(ENROLL_URL, status=401)
    responses.add_callback(responses.POST, ENROLL_URL, callback=_answer)
    adapter = PlatformEnrollmentAdapter()
    assert adapter.bulk_enroll(COURSE, ["learner01"]).enrolled == ["learner01"]
    assert adapter.bulk_enroll(COURSE, ["learner03"]).enrolled == ["learner03"]
    auths = [
        c.request.headers.get("Authorization") for c in responses.calls if "bulk" in c.request.url
    ]
    assert auths == ["JWT old", "JWT new", "JWT new"]


@responses.activate
def test_refused_credentials_give_a_clear_error():
    responses.post(TOKEN_URL, status=401, json={"error": "invalid_client"})
    with pytest.raises(EnrollmentError, match="refused the OAuth2 client credentials"):
        PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01"])


@responses.activate
def test_failure_in_a_later_chunk_keeps_the_partial_result_and_names_no_user():
    responses.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    calls = iter([_answer, None])

    def answer_then_fail(request):
        handler = next(calls)
        return handler(request) if handler else (500, {}, "boom")

    responses.add_callback(responses.POST, ENROLL_URL, callback=answer_then_fail)
    with pytest.raises(EnrollmentError) as info:
        PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01", "learner03", "learner05"])
    assert "HTTP 500" in str(info.value)
    assert "learner" not in str(info.value)
    assert info.value.partial.enrolled == ["learner01", "learner03"]


@responses.activate
def test_timeout_gives_a_clear_error():
    responses.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    responses.post(ENROLL_URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(EnrollmentError, match="ReadTimeout"):
        PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01"])


@responses.activate
def test_unexpected_response_shape_is_an_error():
    responses.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    responses.post(ENROLL_URL, json={"courses": {}})
    with pytest.raises(EnrollmentError, match="no results"):
        PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01"])


@responses.activate
def test_user_missing_from_the_answer_counts_as_failed():
    responses.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    responses.post(
        ENROLL_URL,
        json={"courses": {COURSE: {"results": [_row("learner01")]}}},
    )
    result = PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01", "learner03"])
    assert result.enrolled == ["learner01"]
    assert result.failed == ["learner03"]


@pytest.mark.parametrize(
    ("course", "names"),
    [
        ("nope", ["learner01"]),
        (COURSE, "learner01"),
        (COURSE, ["a,b"]),
        (COURSE, [""]),
        (COURSE, [3]),
    ],
)
@responses.activate
def test_bad_input_is_refused_before_any_call(course, names):
    with pytest.raises(ValueError):
        PlatformEnrollmentAdapter().bulk_enroll(course, names)
    with pytest.raises(ValueError):
        FakeEnrollmentAdapter().bulk_enroll(course, names)
    assert len(responses.calls) == 0


def test_missing_configuration_is_reported():
    with override_settings(ELEARN_LMS_BASE_URL=""), pytest.raises(ImproperlyConfigured):
        PlatformEnrollmentAdapter().bulk_enroll(COURSE, ["learner01"])


def test_fake_adapter_records_calls_and_repeats():
    fake = FakeEnrollmentAdapter()
    assert fake.bulk_enroll(COURSE, ["a", "b"]).enrolled == ["a", "b"]
    second = fake.bulk_enroll(COURSE, ["b", "c"])
    assert second.already == ["b"] and second.enrolled == ["c"]
    assert fake.calls == [(COURSE, ("a", "b")), (COURSE, ("b", "c"))]


def test_adapter_choice_follows_setting():
    assert isinstance(get_enrollment_adapter(), FakeEnrollmentAdapter)
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        assert isinstance(get_enrollment_adapter(), PlatformEnrollmentAdapter)
