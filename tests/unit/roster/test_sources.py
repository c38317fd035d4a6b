"""The roster's sources (P-2, P-7, P-32): the HR system's REST endpoint and the CSV file."""

import json

import pytest
import requests
import responses

from elearn_plugin.roster.sources import (
    CsvRosterSource,
    RestRosterClient,
    RosterSourceError,
    configured_client,
    read_csv,
)
from tests.unit.roster.conftest import HEADER

URL = "https://hr.example.com/api/roster/"


def record(emp: str, **kw) -> dict:
    values = {
        "employee_id": emp,
        "username": emp.lower(),
        "name": "张伟",
        "email": f"{emp.lower()}@example.com",
        "unit": "sales",
        "job_role": "clerk",
        "status": "active",
        "hired": "2024-05-06",
        "left": None,
    }
    values.update(kw)
    return values


def client(**kw) -> tuple[RestRosterClient, list[float]]:
    sleeps: list[float] = []
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.5)
    return RestRosterClient(URL, "t0ken", timeout=3, sleep=sleeps.append, **kw), sleeps


@responses.activate
def test_pages_are_followed_through_next_with_the_token():  # P-2
    responses.get(URL, json={"results": [record("E1")], "next": URL + "?page=2"})
    responses.get(URL + "?page=2", json={"results": [record("E2")], "next": "?page=3"})
    responses.get(URL + "?page=3", json={"results": [], "next": None})
    people = client()[0].fetch()
    assert [p.employee_id for p in people] == ["E1", "E2"]
    assert [p.line for p in people] == [1, 2]
    assert people[0].hired.isoformat() == "2024-05-06" and people[0].left is None
    assert all(c.request.headers["Authorization"] == "Bearer t0ken" for c in responses.calls)


@responses.activate
def test_timeouts_are_retried_with_exponential_back_off():  # P-33
    responses.get(URL, body=requests.exceptions.ConnectTimeout())
    responses.get(URL, body=requests.exceptions.ConnectTimeout())
    responses.get(URL, json={"results": [record("E1")], "next": None})
    rest, sleeps = client()
    assert len(rest.fetch()) == 1
    assert sleeps == [0.5, 1.0]


@responses.activate
def test_server_errors_are_retried_then_fail():  # P-33
    for _ in range(3):
        responses.get(URL, status=500)
    rest, sleeps = client()
    with pytest.raises(RosterSourceError, match="HTTP 500 for page 1"):
        rest.fetch()
    assert len(responses.calls) == 3 and sleeps == [0.5, 1.0]


@responses.activate
def test_a_timeout_every_time_fails_clearly():  # P-33
    for _ in range(3):
        responses.get(URL, body=requests.exceptions.ReadTimeout())
    with pytest.raises(RosterSourceError, match="could not be fetched .ReadTimeout"):
        client()[0].fetch()


@responses.activate
def test_a_client_error_is_not_retried():  # P-2
    responses.get(URL, status=403)
    rest, sleeps = client()
    with pytest.raises(RosterSourceError, match="HTTP 403"):
        rest.fetch()
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_a_missing_next_page_fails_the_whole_fetch():  # P-7
    responses.get(URL, json={"results": [record("E1")], "next": URL + "?page=2"})
    responses.get(URL + "?page=2", status=404)
    with pytest.raises(RosterSourceError, match="Page 2 of the roster was not found"):
        client()[0].fetch()


@responses.activate
def test_malformed_json_fails():  # P-2
    responses.get(URL, body="{not json", content_type="application/json")
    with pytest.raises(RosterSourceError, match="not valid JSON"):
        client()[0].fetch()


@pytest.mark.parametrize(
    "body", [[], {"results": {}, "next": None}, {"next": None}, {"results": [], "next": 3}]
)
@responses.activate
def test_a_page_of_the_wrong_shape_fails(body):  # P-2
    responses.get(URL, json=body)
    with pytest.raises(RosterSourceError, match="not an object with"):
        client()[0].fetch()


@responses.activate
def test_a_wrong_shaped_record_fails_without_personal_data():  # P-32
    bad = record("E2", name=["张伟"], email="zhang@example.com", hired="06/05/2024")
    del bad["unit"]
    responses.get(
        URL,
        json={"results": [record("E1"), bad, "x", record("E1", extra="1")], "next": None},
    )
    with pytest.raises(RosterSourceError) as caught:
        client()[0].fetch()
    text = str(caught.value) + "\n".join(str(p) for p in caught.value.problems)
    assert {(p.line, p.field) for p in caught.value.problems} >= {(2, "unit"), (2, "name"), (3, "")}
    assert any(p.line == 4 and "extra" in p.message for p in caught.value.problems)
    assert "张伟" not in text and "zhang@" not in text and "t0ken" not in text


@responses.activate
def test_next_on_another_host_is_not_followed():  # P-32: the token stays with the HR system
    responses.get(URL, json={"results": [], "next": "https://evil.example.net/roster"})
    with pytest.raises(RosterSourceError, match="another host"):
        client()[0].fetch()
    assert len(responses.calls) == 1


@responses.activate
def test_a_page_pointing_to_itself_fails():  # P-2
    responses.get(URL, json={"results": [], "next": URL})
    with pytest.raises(RosterSourceError, match="repeats"):
        client()[0].fetch()


def test_no_url_configured_is_a_source_error(settings):  # P-2
    settings.ELEARN_ROSTER_URL = ""
    with pytest.raises(RosterSourceError, match="ELEARN_ROSTER_URL"):
        RestRosterClient().fetch()


def test_the_client_class_is_configurable(settings):  # P-2
    settings.ELEARN_ROSTER_CLIENT = "tests.unit.roster.test_sources.StaticClient"
    assert configured_client().fetch() == []
    settings.ELEARN_ROSTER_CLIENT = "tests.unit.roster.nowhere.Client"
    with pytest.raises(RosterSourceError, match="names no class"):
        configured_client()


class StaticClient:
    source_code = "static"

    def fetch(self):
        return []


# ---------------------------------------------------------------------------- CSV

ROW = "E1,zhangwei,张伟,,sales,clerk,active,2024-05-06,"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_with_or_without_bom(bom):  # P-2
    people = read_csv(bom + f"{HEADER}\n{ROW}\n\n".encode())
    assert [(p.employee_id, p.line, p.email) for p in people] == [("E1", 2, "")]


def test_csv_columns_in_any_order():  # P-2
    people = read_csv(
        "status,left,hired,job_role,unit,email,name,username,employee_id\n"
        "left,2026-11-30,,clerk,hq,,N,lina,E2\n"
    )
    assert people[0].status == "left" and people[0].left.isoformat() == "2026-11-30"


@pytest.mark.parametrize(
    "header", [HEADER.replace(",left", ""), HEADER + ",extra", HEADER.replace("unit", "dept")]
)
def test_csv_missing_or_unknown_column(header):  # P-2
    with pytest.raises(RosterSourceError, match="Wrong header") as caught:
        read_csv(f"{header}\n{ROW}\n")
    assert caught.value.problems[0].line == 1


def test_csv_bad_values_are_reported_by_line_and_nothing_is_returned():  # P-32
    text = (
        f"{HEADER}\n{ROW}\n"
        "E2,bad name!,李娜,not-an-email,hq,clerk,gone,2024-13-01,\n"
        "E3,lina,李娜,,hq,clerk,left,,\n"
        "E1,other,N,,hq,clerk,active,,\n"
        "E4,x4,N,,hq\n"
    )
    with pytest.raises(RosterSourceError) as caught:
        read_csv(text)
    found = {(p.line, p.field) for p in caught.value.problems}
    assert {(3, "username"), (3, "email"), (3, "status"), (3, "hired"), (4, "left")} <= found
    assert {(2, "employee_id"), (5, "employee_id"), (6, "")} <= found
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "李娜" not in text and "not-an-email" not in text


def test_csv_not_utf8():  # P-2
    with pytest.raises(RosterSourceError, match="UTF-8"):
        read_csv(f"{HEADER}\n".encode() + "E1,u,张,,hq,clerk,active,,\n".encode("gb18030"))


def test_csv_source_reads_a_file(tmp_path):  # P-2
    path = tmp_path / "roster.csv"
    path.write_text(json.dumps([]))
    with pytest.raises(RosterSourceError, match="Wrong header"):
        CsvRosterSource(str(path)).fetch()
    with pytest.raises(RosterSourceError, match="cannot be read"):
        CsvRosterSource(str(tmp_path / "none.csv")).fetch()


@responses.activate
def test_next_on_another_scheme_is_not_followed():  # P-32
    responses.get(URL, json={"results": [], "next": URL.replace("https:", "http:")})
    with pytest.raises(RosterSourceError, match="another host"):
        client()[0].fetch()


@responses.activate
def test_other_request_errors_are_not_retried():  # P-2
    responses.get(URL, body=requests.exceptions.TooManyRedirects())
    rest, sleeps = client()
    with pytest.raises(RosterSourceError, match="TooManyRedirects"):
        rest.fetch()
    assert sleeps == []
