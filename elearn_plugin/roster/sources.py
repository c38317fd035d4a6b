"""Where the HR roster comes from (P-2, P-6, P-7): the HR system's REST endpoint, or a CSV.

Every source is strict: it returns the whole roster or raises `RosterSourceError`, never a
part of it, because a partial roster would look like people missing. Another HR system plugs
in through the setting `ELEARN_ROSTER_CLIENT`: a class built without arguments whose
`fetch()` follows `RosterClient`. Errors and logs carry page numbers, HTTP statuses,
record numbers and field names, never the records' values (P-32) nor the token.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable
from urllib.parse import urljoin, urlsplit

import requests
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.org.provisioning_rows import RowProblem, data_rows
from elearn_plugin.roster.records import FIELDS, parse_record, roster_problems
from elearn_plugin.rules.roster import RosterPerson

log = logging.getLogger(__name__)
MAX_PAGES = 10_000
MAX_REPORTED = 50


class RosterSourceError(Exception):
    """The roster could not be read whole; `problems` locates bad records (no values)."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


@runtime_checkable
class RosterClient(Protocol):
    """A source of the whole roster: every person HR lists, or `RosterSourceError`."""

    source_code: str

    def fetch(self) -> list[RosterPerson]: ...


def _checked(people: list[RosterPerson], problems: list[RowProblem]) -> list[RosterPerson]:
    problems = sorted(problems + roster_problems(people), key=lambda p: (p.line, p.field))
    if problems:
        raise RosterSourceError(
            _("The roster has {count} problem(s); nothing was read.").format(count=len(problems)),
            problems[:MAX_REPORTED],
        )
    return people


# ---------------------------------------------------------------------------- REST


class RestRosterClient:
    """The HR system's JSON endpoint: pages `{"results": [...], "next": url | null}`.

    A connection error, a timeout or a 5xx is retried `ELEARN_ROSTER_RETRIES` times with
    exponential back-off; a 4xx, malformed JSON, a page of the wrong shape or a bad record
    fails the whole fetch. `next` is followed on the configured host only, so the token is
    never sent elsewhere. A record's number is its position in the whole roster (1-based).
    """

    source_code = "rest"

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.url = url if url is not None else setting("ELEARN_ROSTER_URL")
        self.token = token if token is not None else setting("ELEARN_ROSTER_TOKEN")
        self.timeout = timeout if timeout is not None else setting("ELEARN_ROSTER_TIMEOUT_SECONDS")
        self.retries = retries if retries is not None else setting("ELEARN_ROSTER_RETRIES")
        self.backoff = (
            backoff if backoff is not None else setting("ELEARN_ROSTER_RETRY_BASE_SECONDS")
        )
        self.session = session or requests.Session()
        self.sleep = sleep
        self._last_url = self.url

    def fetch(self) -> list[RosterPerson]:
        """Every page from `url`, then every record checked; all or `RosterSourceError`."""
        if not self.url:
            raise RosterSourceError(_("No roster endpoint is configured (ELEARN_ROSTER_URL)."))
        origin = urlsplit(self.url)[:2]  # (scheme, host): the token goes nowhere else
        people: list[RosterPerson] = []
        problems: list[RowProblem] = []
        seen: set[str] = set()
        url: str | None = self.url
        page = number = 0
        while url:
            page += 1
            if url in seen or page > MAX_PAGES:
                raise RosterSourceError(
                    _("Page {page} of the roster repeats an earlier page.").format(page=page)
                )
            seen.add(url)
            body = self._page(url, page)
            results, url = self._shape(body, page)
            for raw in results:
                number += 1
                if not isinstance(raw, dict):
                    problems.append(RowProblem(number, "", _("A record must be an object.")))
                    continue
                person, bad = parse_record(raw, number)
                if person is None:
                    problems.extend(bad)
                else:
                    people.append(person)
            if url is not None:
                url = urljoin(self._last_url, url)
                if urlsplit(url)[:2] != origin:
                    raise RosterSourceError(
                        _("Page {page} points to another host; it was not followed.").format(
                            page=page
                        )
                    )
        log.info("roster fetched: %d record(s) in %d page(s)", len(people), page)
        return _checked(people, problems)

    def _page(self, url: str, page: int) -> object:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        attempt = 0
        while True:
            try:
                response = self.session.get(url, headers=headers, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                reason = type(exc).__name__
                if attempt >= self.retries:
                    raise RosterSourceError(
                        _("Page {page} of the roster could not be fetched ({reason}).").format(
                            page=page, reason=reason
                        )
                    ) from None
            except requests.RequestException as exc:
                raise RosterSourceError(
                    _("Page {page} of the roster could not be fetched ({reason}).").format(
                        page=page, reason=type(exc).__name__
                    )
                ) from None
            else:
                status = response.status_code
                if status < 400:
                    break
                if status < 500 or attempt >= self.retries:
                    message = (
                        _("Page {page} of the roster was not found (HTTP 404).")
                        if status == 404
                        else _("The HR system answered HTTP {status} for page {page}.")
                    )
                    raise RosterSourceError(message.format(page=page, status=status))
                reason = f"HTTP {status}"
            delay = self.backoff * (2**attempt)
            log.warning("roster page %d: %s; retrying in %ss", page, reason, delay)
            attempt += 1
            self.sleep(delay)
        self._last_url = response.url or url
        try:
            return response.json()
        except ValueError:
            raise RosterSourceError(
                _("Page {page} of the roster is not valid JSON.").format(page=page)
            ) from None

    @staticmethod
    def _shape(body: object, page: int) -> tuple[list, str | None]:
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("results"), list)
            or not isinstance(body.get("next"), (str, type(None)))
        ):
            raise RosterSourceError(
                _("Page {page} of the roster is not an object with “results” and “next”.").format(
                    page=page
                )
            )
        return body["results"], body["next"] or None


# ---------------------------------------------------------------------------- CSV


def read_csv(data: bytes | str) -> list[RosterPerson]:
    """The roster in a CSV file with the columns `FIELDS` (UTF-8, with or without BOM).

    Every column must be there and no other; every problem is reported with its line.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise RosterSourceError(
                _("The file is not UTF-8 text."), [RowProblem(line, "", _("Not UTF-8."))]
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    people: list[RosterPerson] = []
    problems: list[RowProblem] = []
    try:
        names = [h.strip().lower() for h in next(reader, None) or []]
        if sorted(names) != sorted(FIELDS):
            missing = [f for f in FIELDS if f not in names]
            unknown = [n for n in names if n not in FIELDS]
            detail = _("Wrong header; expected the columns: {columns}").format(
                columns=",".join(FIELDS)
            )
            if missing:
                detail += " " + _("(missing: {names})").format(names=",".join(missing))
            if unknown or len(set(names)) != len(names):
                detail += " " + _("(unknown or repeated columns)")
            raise RosterSourceError(detail, [RowProblem(1, "", detail)])
        for line, raw in data_rows(reader, names, problems):
            person, bad = parse_record(dict(zip(names, raw, strict=True)), line)
            if person is None:
                problems.extend(bad)
            else:
                people.append(person)
    except csv.Error:
        problems.append(RowProblem(reader.line_num, "", _("The line is not valid CSV.")))
    return _checked(people, problems)


class CsvRosterSource:
    """A roster file HR exported: read whole and checked before anything is compared."""

    source_code = "csv"

    def __init__(self, path: str):
        self.path = path

    def fetch(self) -> list[RosterPerson]:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise RosterSourceError(
                _("The file cannot be read: {reason}").format(
                    reason=exc.strerror or type(exc).__name__
                )
            ) from None
        return read_csv(data)


def configured_client() -> RosterClient:
    """The client named by `ELEARN_ROSTER_CLIENT`, built without arguments."""
    path = setting("ELEARN_ROSTER_CLIENT")
    try:
        cls = import_string(path)
    except ImportError:
        raise RosterSourceError(
            _("ELEARN_ROSTER_CLIENT names no class: {path}").format(path=path)
        ) from None
    return cls()
