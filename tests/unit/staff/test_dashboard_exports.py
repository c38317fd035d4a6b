"""The dashboard's tables as CSV and XLSX downloads, read back as HR's spreadsheet would
(P-31, P-32): escaped formula-like names, 404 for an unknown table, 400 for a format."""

import csv
import io

import pytest
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from elearn_plugin.org.models import Unit
from elearn_plugin.staff.exports import BOM
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401
from tests.unit.staff.conftest import NOW

FORMULA = '=HYPERLINK("http://x.example","open")'


def _url(table: str, fmt: str) -> str:
    return reverse("elearn:staff-dashboard-export", args=[table, fmt])


@pytest.fixture
def hr_client(client, db, request):
    with freeze_time(NOW):
        made = request.getfixturevalue("staff_org")
    Unit.objects.filter(code="sales").update(name=FORMULA)
    client.force_login(made.hr)
    return client


def _get(client, url, **query):
    with freeze_time(NOW):
        return client.get(url, query)


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


def test_the_compliance_table_reads_back_as_csv(hr_client):  # P-21, P-32
    response = _get(hr_client, _url("compliance", "csv"), period="2026-11")
    assert response.status_code == 200
    assert 'filename="hr-compliance-2026-11-all.csv"' in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header == ["Unit code", "Unit", "Learners", "At quota", "Behind", "At quota (%)"]
    by_code = {row[0]: row for row in rows}
    # The formula-like unit name arrives as text, marked the spreadsheets' own way.
    assert by_code["sales"][1] == "'" + FORMULA
    assert by_code["sales"][2:] == ["6", "1", "5", "16.7"]
    assert rows[-1][1] == "Total" and rows[-1][2] == "7"


def test_the_sanctions_table_and_a_unit_scope(hr_client):  # P-22
    header, *rows = _csv_rows(_get(hr_client, _url("sanctions", "csv"), unit="sales"))
    assert header[2] == "Overdue tasks"
    assert [row[0] for row in rows] == ["sales", ""]
    assert rows[0][2] == "1" and rows[0][4] == "1"  # one overdue task, one suspension


def test_the_hours_table_reads_back_as_xlsx(hr_client):  # P-24
    response = _get(hr_client, _url("hours", "xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = list(book["hours"].values)
    assert values[0][:3] == ("Unit code", "Unit", "Online hours")
    assert values[1][0] == "sales" and values[1][1] == FORMULA  # a string cell, not a formula
    assert float(values[1][2]) == 1.5


def test_the_rankings_table_downloads_even_empty(hr_client):  # P-25
    header, *rows = _csv_rows(_get(hr_client, _url("rankings", "csv")))
    assert header[:3] == ["Ranking", "Period", "Rank"] and rows == []


def test_unknown_tables_and_formats_are_refused_clearly(hr_client):
    assert _get(hr_client, _url("salaries", "csv")).status_code == 404
    wrong = _get(hr_client, _url("hours", "pdf"))
    assert wrong.status_code == 400 and b"csv or xlsx" in wrong.content
    assert _get(hr_client, _url("hours", "csv"), period="13-2026").status_code == 400
    assert _get(hr_client, _url("hours", "csv"), unit="nowhere").status_code == 404


def test_dashboard_export_matrix(client, role_users):  # noqa: F811 - P-31: HR only
    refused = {role: 403 for role in ("learner", "other_learner", "contact", "other_contact")}
    refused |= {"reviewer": 403, "publisher": 403, "blocked": 403, "anonymous": 302}
    assert_role_matrix(client, "get", _url("compliance", "csv"), refused | {"hr": 200})
    # The table and format are checked after the role: nobody else learns which exist.
    assert_role_matrix(client, "get", _url("nothing", "pdf"), refused | {"hr": 404})
