"""The report writers: one CSV cell rule against formula injection, UTF-8 with a BOM for CSV,
plain UTF-8 JSON, and a file replaced only when the whole report is written (P-32)."""

import csv
import io
import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from elearn_plugin.reports.output import BOM, csv_cell, replacing, write_csv, write_json


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","x")', "+1", "-x", "@SUM(A1:A9)", "\tX", "\rX", "-3"],
)
def test_text_that_would_start_a_formula_is_escaped_with_a_quote(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["alice", "E12", "x=1", "a-b", "'quoted", "", " =x", "张伟"])
def test_other_text_is_left_alone(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-3, "-3"),
        (0, "0"),
        (12, "12"),
        (-0.5, "-0.5"),
        (Decimal("-1.50"), "-1.50"),
        (Decimal("2"), "2"),
    ],
)
def test_numbers_are_never_escaped(value, cell):
    assert csv_cell(value) == cell


def test_none_booleans_lists_and_dates():
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true" and csv_cell(False) == "false"
    assert csv_cell(["quota_warning", "missed_tasks_suspension"]) == (
        "quota_warning;missed_tasks_suspension"
    )
    assert csv_cell([]) == "" and csv_cell(("a",)) == "a"
    assert csv_cell([1, None, True]) == "1;;true"
    assert csv_cell(date(2026, 3, 1)) == "2026-03-01"
    assert csv_cell(datetime(2026, 3, 1, 2, 30, tzinfo=UTC)) == "2026-03-01T02:30:00+00:00"


def test_a_list_is_escaped_as_the_one_cell_it_becomes():
    # The cell starts with "-": a spreadsheet would read it as a formula.
    assert csv_cell(["-x", "y"]) == "'-x;y"
    assert csv_cell(["y", "=x"]) == "y;=x"


def _csv(columns, rows) -> str:
    stream = io.StringIO(newline="")
    write_csv(columns, rows, stream)
    return stream.getvalue()


def test_csv_starts_with_the_bom_then_the_header():
    text = _csv(("a", "b"), [{"a": 1, "b": "x"}, {"b": None, "a": -2}])
    assert text.startswith(BOM)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text[len(BOM) :] == "a,b\r\n1,x\r\n-2,\r\n"


def test_csv_reads_back_with_the_escapes_and_the_characters():
    rows = [{"name": "=1+1", "unit": "销售", "n": -1}, {"name": "a,b\nc", "unit": "\rX", "n": 0}]
    text = _csv(("name", "unit", "n"), rows)
    back = list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))
    assert back == [["name", "unit", "n"], ["'=1+1", "销售", "-1"], ["a,b\nc", "'\rX", "0"]]


def test_csv_without_rows_is_the_header_alone():
    assert _csv(("a", "b"), []) == BOM + "a,b\r\n"


def test_a_row_missing_a_column_is_an_error_not_an_empty_cell():
    with pytest.raises(KeyError):
        _csv(("a", "b"), [{"a": 1}])


def test_json_is_utf8_without_escapes_or_bom():
    stream = io.StringIO()
    write_json({"period": "2026-03", "rows": [{"username": "张伟", "n": Decimal("1.5")}]}, stream)
    text = stream.getvalue()
    assert "张伟" in text and "\\u" not in text and not text.startswith(BOM)
    assert text.endswith("\n")
    assert json.loads(text) == {"period": "2026-03", "rows": [{"username": "张伟", "n": "1.5"}]}


def test_replacing_writes_the_file_only_at_the_end(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old", encoding="utf-8")
    with replacing(target) as stream:
        stream.write("new 张")
        assert target.read_text(encoding="utf-8") == "old"
    assert target.read_bytes() == "new 张".encode()
    assert os.listdir(tmp_path) == ["report.csv"]
    assert target.stat().st_mode & 0o077 == 0  # reports name learners: owner only


def test_replacing_leaves_the_old_file_and_no_temporary_on_error(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as stream:
        stream.write("half")
        raise RuntimeError("rendering failed")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["report.json"]


def test_replacing_in_a_missing_directory_is_an_os_error(tmp_path):
    with pytest.raises(OSError), replacing(tmp_path / "missing" / "r.csv") as stream:
        stream.write("x")
    assert os.listdir(tmp_path) == []


def test_replacing_a_directory_is_an_os_error_and_leaves_nothing(tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(OSError), replacing(tmp_path / "dir") as stream:
        stream.write("x")
    assert os.listdir(tmp_path) == ["dir"] and os.listdir(tmp_path / "dir") == []
