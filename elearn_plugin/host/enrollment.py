"""Enrolling learners in a course on the host (P-14: assigned courses appear in their dashboard).

Inside Open edX the LMS's bulk enrolment REST API is called with an OAuth2 client-credentials
token (JWT), so the plugin needs no import of the platform's enrolment code. The API must be
enabled (`FEATURES["ENABLE_BULK_ENROLLMENT_VIEW"]`) and the client's user must be global staff.
Usernames are personal data: they are sent to the LMS, never logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from elearn_plugin.core.batching import chunked
from elearn_plugin.host.adapters import FAKE, adapter_kind

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth2/access_token"
BULK_ENROLL_PATH = "/api/bulk_enroll/v1/bulk_enroll"
DEFAULT_CHUNK_SIZE = 100
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


class EnrollmentError(RuntimeError):
    """The host refused or could not be reached; `partial` holds what succeeded before."""

    def __init__(self, message: str, partial: EnrollResult | None = None) -> None:
        super().__init__(message)
        self.partial = partial or EnrollResult()


@dataclass
class EnrollResult:
    """Per-username outcome. `enrolled` are new enrolments; a repeat lands in `already`."""

    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def merge(self, other: EnrollResult) -> None:
        self.enrolled += other.enrolled
        self.already += other.already
        self.invalid += other.invalid
        self.failed += other.failed

    @property
    def ok(self) -> bool:
        return not self.invalid and not self.failed


class EnrollmentAdapter(Protocol):
    def bulk_enroll(self, course_key: str, usernames: Sequence[str]) -> EnrollResult: ...


def _checked(course_key: object, usernames: Iterable[str]) -> tuple[str, list[str]]:
    try:
        key = str(CourseKey.from_string(str(course_key)))
    except InvalidKeyError:
        raise ValueError(f"Not a course key: {str(course_key)[:120]!r}")
    if isinstance(usernames, str):
        raise ValueError("usernames must be a list of usernames, not one string")
    names: list[str] = []
    seen: set[str] = set()
    for name in usernames:
        if not isinstance(name, str) or not name.strip() or "," in name:
            raise ValueError("every username must be a non-empty string without commas")
        if name not in seen:
            seen.add(name)
            names.append(name.strip())
    return key, names


class PlatformEnrollmentAdapter:
    """The LMS REST API `/api/bulk_enroll/v1/bulk_enroll`, chunked, with timeouts."""

    _token_lock = threading.Lock()
    _token: tuple[str, float] | None = None  # (token, expires at, monotonic seconds)

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()

    # -- configuration, read at call time
    @staticmethod
    def _config() -> tuple[str, str, str]:
        base = (getattr(settings, "ELEARN_LMS_BASE_URL", "") or "").rstrip("/")
        client_id = getattr(settings, "ELEARN_LMS_OAUTH_CLIENT_ID", "") or ""
        secret = getattr(settings, "ELEARN_LMS_OAUTH_CLIENT_SECRET", "") or ""
        if not base or not client_id or not secret:
            raise ImproperlyConfigured(
                "ELEARN_LMS_BASE_URL, ELEARN_LMS_OAUTH_CLIENT_ID and "
                "ELEARN_LMS_OAUTH_CLIENT_SECRET must be set to enrol learners."
            )
        return base, client_id, secret

    @staticmethod
    def _timeout() -> tuple[float, float]:
        value = getattr(settings, "ELEARN_LMS_TIMEOUT_SECONDS", DEFAULT_TIMEOUT)
        return tuple(value) if isinstance(value, list | tuple) else (float(value), float(value))

    @staticmethod
    def _chunk_size() -> int:
        return max(1, int(getattr(settings, "ELEARN_ENROLL_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)))

    # -- token
    def _access_token(self, *, refresh: bool = False) -> str:
        cls = type(self)
        with cls._token_lock:
            if not refresh and cls._token and cls._token[1] > time.monotonic():
                return cls._token[0]
            base, client_id, secret = self._config()
            try:
                response = self.session.post(
                    base + TOKEN_PATH,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": client_id,
                        "client_secret": secret,
                        "token_type": "jwt",
                    },
                    timeout=self._timeout(),
                )
            except requests.RequestException as exc:
                raise EnrollmentError(f"LMS token request failed: {type(exc).__name__}")
            if response.status_code != 200:
                raise EnrollmentError(
                    f"LMS refused the OAuth2 client credentials (HTTP {response.status_code})."
                )
            try:
                payload = response.json()
                token = str(payload["access_token"])
                expires_in = float(payload.get("expires_in", 300))
            except (ValueError, KeyError, TypeError):
                raise EnrollmentError("LMS token response is not the expected JSON.")
            cls._token = (token, time.monotonic() + max(0.0, expires_in - 30))
            return token

    @classmethod
    def forget_token(cls) -> None:
        with cls._token_lock:
            cls._token = None

    # -- enrolment
    def _post_chunk(self, course_key: str, chunk: list[str]) -> dict:
        base, _client_id, _secret = self._config()
        body = {
            "action": "enroll",
            "auto_enroll": True,
            "email_students": False,
            "courses": course_key,
            "identifiers": ",".join(chunk),
        }
        for attempt in (1, 2):
            token = self._access_token(refresh=attempt == 2)
            try:
                response = self.session.post(
                    base + BULK_ENROLL_PATH,
                    json=body,
                    headers={"Authorization": f"JWT {token}"},
                    timeout=self._timeout(),
                )
            except requests.RequestException as exc:
                raise EnrollmentError(f"LMS bulk enrolment request failed: {type(exc).__name__}")
            if response.status_code == 401 and attempt == 1:
                continue  # the cached token expired early: fetch a new one once
            if response.status_code != 200:
                raise EnrollmentError(
                    f"LMS bulk enrolment answered HTTP {response.status_code} for {course_key}."
                )
            try:
                return response.json()
            except ValueError:
                raise EnrollmentError("LMS bulk enrolment response is not JSON.")
        raise EnrollmentError("LMS bulk enrolment refused the token.")  # pragma: no cover

    @staticmethod
    def _parse(course_key: str, chunk: list[str], payload: dict) -> EnrollResult:
        result = EnrollResult()
        try:
            rows = payload["courses"][course_key]["results"]
        except (KeyError, TypeError):
            raise EnrollmentError(f"LMS bulk enrolment response has no results for {course_key}.")
        answered: set[str] = set()
        for row in rows if isinstance(rows, list) else []:
            name = row.get("identifier") if isinstance(row, dict) else None
            if name not in chunk:
                continue
            answered.add(name)
            if row.get("invalidIdentifier"):
                result.invalid.append(name)
            elif row.get("error"):
                result.failed.append(name)
            elif (row.get("before") or {}).get("enrollment"):
                result.already.append(name)
            elif (row.get("after") or {}).get("enrollment"):
                result.enrolled.append(name)
            else:
                result.failed.append(name)
        result.failed += [name for name in chunk if name not in answered]
        return result

    def bulk_enroll(self, course_key: str, usernames: Sequence[str]) -> EnrollResult:
        """Enrol usernames in chunks; raises EnrollmentError with the partial result."""
        key, names = _checked(course_key, usernames)
        total = EnrollResult()
        for chunk in chunked(names, self._chunk_size()):
            try:
                total.merge(self._parse(key, chunk, self._post_chunk(key, chunk)))
            except EnrollmentError as exc:
                raise EnrollmentError(str(exc), partial=total)
        log.info(
            "Bulk enrolment in %s: %d new, %d already, %d invalid, %d failed",
            key,
            len(total.enrolled),
            len(total.already),
            len(total.invalid),
            len(total.failed),
        )
        return total


@dataclass
class FakeEnrollmentAdapter:
    """Standalone site and tests: records calls and remembers enrolments."""

    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    enrolments: set[tuple[str, str]] = field(default_factory=set)

    def bulk_enroll(self, course_key: str, usernames: Sequence[str]) -> EnrollResult:
        key, names = _checked(course_key, usernames)
        self.calls.append((key, tuple(names)))
        result = EnrollResult()
        for name in names:
            if (key, name) in self.enrolments:
                result.already.append(name)
            else:
                self.enrolments.add((key, name))
                result.enrolled.append(name)
        return result

    def clear(self) -> None:
        self.calls.clear()
        self.enrolments.clear()


_FAKE = FakeEnrollmentAdapter()


def get_enrollment_adapter() -> EnrollmentAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformEnrollmentAdapter()
