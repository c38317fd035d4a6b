"""`manage.py elearn_report ranking|appraisal|hours`: the frozen rows read back from JSON,
CSV (BOM, formula escaping), XLSX (text cells stay strings) and the newsletter's HTML
(escaped), one unit's subtree, and bad input exiting 2 with one line (P-24, P-25, P-32)."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from elearn_plugin.org.models import Person
from elearn_plugin.rankings.models import Ranking
from elearn_plugin.rules.periods import period_from_label
from tests.unit.rankings.conftest import TZ, close, local

HOSTILE = '=HYPERLINK("http://evil.example","x")'
SCRIPT = "<script>alert(1)</script>"


def run(*args) -> str:
    out = io.StringIO()
    call_command("elearn_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args) -> str:
    before = Ranking.objects.count()
    with pytest.raises(CommandError) as info:
        run(*args)
    assert info.value.returncode == 2
    message = str(info.value)
    assert "\n" not in message
    assert Ranking.objects.count() == before
    return message


@pytest.fixture
def named(quarter):
    Person.objects.filter(user_id=quarter["b"]).update(name=HOSTILE)
    Person.objects.filter(user_id=quarter["c"]).update(name=SCRIPT)
    return quarter


def test_json_rows_by_rank_with_the_documented_columns(named):  # P-25
    data = json.loads(run("ranking", "--period", "2026-Q1"))
    assert data["period"] == "2026-Q1" and data["kind"] == "quarter"
    assert [(r["rank"], r["employee_id"], r["unit"]) for r in data["rows"]] == [
        (1, "E-b", "hq"),
        (1, "E-c", "hq"),
        (1, "E-p", "sales"),
    ]
    assert {"rank", "employee_id", "username", "name", "unit", "credits"} <= set(data["rows"][0])
    assert data["rows"][0]["credits"] == "4.00"
    assert data["corrections"] == []


def test_csv_has_a_bom_and_escapes_formulas(named):  # P-25, P-32
    text = run("ranking", "--period", "2026-Q1", "--format", "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert rows[0]["name"] == "'" + HOSTILE
    assert rows[0]["credits"] == "4.00"


def test_xlsx_cells_are_strings_and_half_years_add_the_appraisal(named, tmp_path):  # P-25
    target = tmp_path / "q1.xlsx"
    run("ranking", "--period", "2026-Q1", "--format", "xlsx", "--output", str(target))
    book = load_workbook(target)
    assert book.sheetnames == ["Ranking", "Corrections"]
    sheet = book["Ranking"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["rank", "employee_id", "username", "name", "unit", "credits"]
    name = sheet.cell(row=2, column=4)
    assert name.value == HOSTILE and name.data_type == "s"  # text, never a formula
    assert sheet.cell(row=2, column=1).value == 1
    close(period_from_label("2026-06", TZ), now=local(2026, 7, 1, 1))
    half = tmp_path / "h1.xlsx"
    run("ranking", "--period", "2026-H1", "--format", "xlsx", "--output", str(half))
    book = load_workbook(half)
    assert book.sheetnames == ["Ranking", "Corrections", "Appraisal"]
    appraisal = list(book["Appraisal"].iter_rows(values_only=True))
    header, *rows = appraisal
    by_employee = {row[header.index("employee_id")]: row for row in rows}
    assert set(by_employee) == {"E-a", "E-b", "E-c", "E-d", "E-p"}
    a = by_employee["E-a"]
    assert a[header.index("months_judged")] == 6
    assert a[header.index("credits")] == 14
    assert by_employee["E-d"][header.index("revocations")] == 1


def test_the_newsletter_fragment_is_escaped(named):  # P-25
    html = run("ranking", "--period", "2026-Q1", "--format", "html", "--language", "en")
    assert "<section" in html and "2026-Q1" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "Learners with equal credits share a rank." in html
    chinese = run("ranking", "--period", "2026-Q1", "--format", "html", "--language", "zh-cn")
    assert "积分" in chinese


def test_one_unit_keeps_its_subtree(named):  # P-25
    data = json.loads(run("ranking", "--period", "2026-Q1", "--unit", "sales"))
    assert [row["employee_id"] for row in data["rows"]] == ["E-p"]
    data = json.loads(run("appraisal", "--period", "2026-Q1", "--unit", "sales"))
    assert [row["employee_id"] for row in data["rows"]] == ["E-p"]


def test_hours_as_json(named):  # P-24
    data = json.loads(run("hours", "--period", "2026-03"))
    assert data == {"period": "2026-03", "closed": True, "rows": []}


def test_bad_input_exits_2_with_one_line(named, tmp_path):  # P-32
    assert "not closed" in refused("ranking", "--period", "2026-Q2")
    assert "not a period" in refused("ranking", "--period", "2026-Q5")
    assert "not a month" in refused("hours", "--period", "2026-Q1")
    assert "sales-x" in refused("ranking", "--period", "2026-Q1", "--unit", "sales-x")
    assert "html" in refused("hours", "--period", "2026-03", "--format", "html")
    assert "--output" in refused("ranking", "--period", "2026-Q1", "--format", "xlsx")
    assert "klingon" in refused("ranking", "--period", "2026-Q1", "--language", "klingon")
    assert "not closed" in refused("appraisal", "--period", "2026-H1")
    missing = tmp_path / "no" / "such" / "dir.json"
    assert "Cannot write" in refused("ranking", "--period", "2026-Q1", "--output", str(missing))
