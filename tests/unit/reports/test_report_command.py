"""`manage.py elearn_report standing`: the month's standings as JSON or CSV, to stdout or a
file written whole; bad input exits 2 with one line that names no learner and changes
nothing (P-16, P-21, P-22, P-32)."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from freezegun import freeze_time

from elearn_plugin import audit
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.management.commands.elearn_report import Command
from elearn_plugin.month_close import runner
from elearn_plugin.month_close.models import MonthClose, Standing
from elearn_plugin.month_close.report import COLUMNS
from elearn_plugin.org import services as org
from elearn_plugin.org.models import Person
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.policy.runtime import file_digest
from elearn_plugin.rules.periods import period_from_label
from elearn_plugin.standing.models import Sanction
from tests.unit.month_close.conftest import POLICY, R1, R2, R3, TZ, assign, complete, local
from tests.unit.policy.helpers import variant

pytestmark = pytest.mark.no_principal  # the command attributes whatever it does itself

AFTER_MARCH = local(2026, 4, 1, 0, 5)
BOM = b"\xef\xbb\xbf"
# Names a spreadsheet would run as formulas if written as they are.
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1", "-x", "@SUM(A1)", "\tX", "\rX"]


@pytest.fixture
def march(request, django_user_model):
    """Learners judged for March: ok in hq, short in sales (a quota warning), misser in hq
    (nothing done: a quota warning and a missed-tasks suspension). Their employee ids sort
    "B3" before "b1" by code point, the other way by a case-insensitive collation; the unit
    sorts first, so sales' "a9" comes last."""
    with audit.acting_as("system:fixtures"):
        units = request.getfixturevalue("units")
        request.getfixturevalue("courses")
        people = request.getfixturevalue("people")
        ok, short, misser = people(3, local(2025, 12, 1))
        complete(ok, (R1, local(2026, 3, 3)), (R2, local(2026, 3, 4)))
        complete(short, (R1, local(2026, 3, 3)))
        assign(short, (R2, local(2026, 4, 20)))
        assign(misser, (R1, local(2026, 3, 10)), (R2, local(2026, 3, 11)), (R3, local(2026, 3, 12)))
        org.set_units_bulk([(short, units["sales"].id)], local(2026, 2, 1))
    for user_id, employee_id in ((ok, "b1"), (short, "a9"), (misser, "B3")):
        Person.objects.filter(user_id=user_id).update(employee_id=employee_id)
    names = {uid: django_user_model.objects.get(pk=uid).username for uid in (ok, short, misser)}
    return {"ok": ok, "short": short, "misser": misser, "names": names}


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    with freeze_time(AFTER_MARCH):
        call_command("elearn_report", *args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def standing(*args) -> dict:
    return json.loads(run("standing", "--period", "2026-03", *args))


def close_march() -> None:
    with audit.acting_as("system:fixtures"):
        runner.close_through(
            period_from_label("2026-03", TZ),
            POLICY,
            file_digest(),
            runner="inline",
            now=AFTER_MARCH,
        )


def test_json_has_the_documented_keys_and_rows_in_code_point_order(march):
    # P-16, P-21, P-22: an unclosed month shows what the configured policy decides now.
    data = standing()
    assert {"period", "closed", "policy_hash", "rows"} <= set(data)
    assert data["period"] == "2026-03" and data["closed"] is False
    assert data["policy_hash"] == file_digest()
    rows = data["rows"]
    assert [(r["unit"], r["employee_id"]) for r in rows] == [
        ("hq", "B3"),
        ("hq", "b1"),
        ("sales", "a9"),
    ]
    assert all(tuple(row) == COLUMNS for row in rows)
    by_id = {row["employee_id"]: row for row in rows}
    assert by_id["b1"]["quota_met"] is True and by_id["b1"]["consequences"] == []
    assert by_id["a9"]["consequences"] == ["quota_warning"]  # P-21
    assert by_id["B3"]["missed_tasks"] == 3  # P-22
    assert by_id["B3"]["consequences"] == ["quota_warning", "missed_tasks_suspension"]
    assert by_id["b1"]["username"] == march["names"][march["ok"]]
    assert by_id["b1"]["exempt"] is None


def test_a_closed_month_reports_its_stored_standings(march):
    # P-16: once closed, the report is the standings the close wrote, not a new judgement.
    close_march()
    data = standing()
    assert data["closed"] is True and data["status"] == "closed"
    assert data["policy_hash"] == MonthClose.objects.get(period="2026-03").policy_hash
    assert [r["employee_id"] for r in data["rows"]] == ["B3", "b1", "a9"]
    assert len(data["rows"]) == Standing.objects.filter(period="2026-03").count()


def test_json_writes_non_ascii_as_it_is(march, django_user_model):
    django_user_model.objects.filter(pk=march["ok"]).update(username="张伟")
    text = run("standing", "--period", "2026-03", "--format", "json")
    assert "张伟" in text and "\\u" not in text


def test_unit_keeps_the_unit_and_the_units_under_it(march):
    assert [r["employee_id"] for r in standing("--unit", "sales")["rows"]] == ["a9"]
    assert [r["employee_id"] for r in standing("--unit", "hq")["rows"]] == ["B3", "b1", "a9"]


def _csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_csv_columns_lists_booleans_and_empty_cells(march):
    # P-16: the quota and whether it was met, as a spreadsheet and a script both read them.
    rows = _csv_rows(run("standing", "--period", "2026-03", "--format", "csv"))
    assert rows[0] == list(COLUMNS)
    table = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [row["employee_id"] for row in table] == ["B3", "b1", "a9"]
    misser, ok, short = table
    assert ok["quota_met"] == "true" and ok["consequences"] == "" and ok["exempt"] == ""
    assert short["quota_met"] == "false" and short["consequences"] == "quota_warning"
    assert misser["missed_tasks"] == "3" and misser["required_completed"] == "0"
    # P-21, P-22: warned and suspended in one month, both in one cell.
    assert misser["consequences"] == "quota_warning;missed_tasks_suspension"
    assert ok["quota"] == "2"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_csv_escapes_names_that_would_run_as_formulas(march, django_user_model, hostile):
    # A learner's own username or an imported employee id must not run in HR's spreadsheet.
    django_user_model.objects.filter(pk=march["ok"]).update(username=hostile)
    Person.objects.filter(user_id=march["misser"]).update(employee_id=hostile)
    rows = _csv_rows(run("standing", "--period", "2026-03", "--format", "csv"))
    table = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert "'" + hostile in [row["username"] for row in table]
    assert "'" + hostile in [row["employee_id"] for row in table]
    for row in table:  # numbers stay numbers
        assert row["missed_tasks"].isdigit() and row["required_completed"].isdigit()


def test_output_writes_the_whole_file_and_nothing_on_stdout(march, tmp_path):
    target = tmp_path / "march.csv"
    target.write_bytes(b"old")
    out = run("standing", "--period", "2026-03", "--format", "csv", "--output", str(target))
    assert out == ""
    content = target.read_bytes()
    assert content.startswith(BOM)
    assert len(_csv_rows(content.decode("utf-8"))) == 4
    json_file = tmp_path / "march.json"
    run("standing", "--period", "2026-03", "--output", str(json_file))
    assert not json_file.read_bytes().startswith(BOM)
    assert json.loads(json_file.read_text(encoding="utf-8")) == standing()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["march.csv", "march.json"]


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Standing, MonthClose, Sanction, OutboxMessage, AuditEvent)
    }


def refused(*args, **kwargs) -> str:
    """The message of a refused run, checked: exit 2, one line, no learner named, no change."""
    before = snapshot()
    with pytest.raises(CommandError) as info:
        run(*args, **kwargs)
    assert info.value.returncode == 2
    message = str(info.value)
    assert message.strip() and "\n" not in message and "Traceback" not in message
    assert snapshot() == before
    return message


def test_bad_input_exits_2_with_one_line_and_changes_nothing(march, tmp_path):
    names = [*march["names"].values(), "B3", "b1", "a9"]
    target = tmp_path / "out.csv"
    cases = [
        (("weekly", "--period", "2026-03"), "weekly"),  # unknown report
        (("standing",), "--period"),  # missing period
        (("standing", "--period", "2026-13"), "2026-13"),
        (("standing", "--period", "March"), "March"),
        (("standing", "--period", "2026-W10"), "2026-W10"),  # not a month
        (("standing", "--period", "2026-04"), "2026-04"),  # not ended
        (("standing", "--period", "2025-12"), "2025-12"),  # before effective_from
        (("standing", "--period", "2026-03", "--unit", "nowhere"), "nowhere"),
        (("standing", "--period", "2026-03", "--format", "pdf"), "pdf"),
    ]
    for args, named in cases:
        message = refused(*args, "--output", str(target))
        assert named in message, (args, message)
        assert not any(name in message for name in names)  # P-32
    assert refused("standing", "--period", "2026-03", format="xml")  # skips argparse's choices
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_path_exits_2_and_writes_nothing(march, tmp_path):
    (tmp_path / "a-directory").mkdir()
    for path in (tmp_path / "missing" / "r.csv", tmp_path / "a-directory"):
        message = refused("standing", "--period", "2026-03", "--output", str(path))
        assert str(path) in message
    assert [p.name for p in tmp_path.iterdir()] == ["a-directory"]
    assert list((tmp_path / "a-directory").iterdir()) == []


def test_a_refused_report_leaves_an_existing_output_file_as_it_was(march, tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(b"previous report")
    refused("standing", "--period", "2026-03", "--unit", "nowhere", "--output", str(target))
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_broken_policy_file_exits_2(march, tmp_path):
    broken = tmp_path / "policy.yaml"
    broken.write_text(variant(("top_n: 10", "top_n: 0")), encoding="utf-8")
    with override_settings(ELEARN_POLICY_FILE=str(broken)):
        assert "policy" in refused("standing", "--period", "2026-03")
    with override_settings(ELEARN_POLICY_FILE=str(tmp_path / "none.yaml")):
        assert "policy" in refused("standing", "--period", "2026-03")


def _from_shell(*argv: str) -> int:
    with pytest.raises(SystemExit) as info, freeze_time(AFTER_MARCH):
        Command().run_from_argv(["manage.py", "elearn_report", *argv])
    return info.value.code


def test_from_the_shell_bad_input_exits_2_too(tmp_path, capsys):
    # argparse's own exit for bad arguments; the system checks (which load the policy too)
    # do not turn a broken policy file into their exit 1.
    assert _from_shell("weekly", "--period", "2026-03") == 2
    assert _from_shell("standing", "--period", "2026-03", "--format", "pdf") == 2
    broken = tmp_path / "policy.yaml"
    broken.write_text(variant(("top_n: 10", "top_n: 0")), encoding="utf-8")
    with override_settings(ELEARN_POLICY_FILE=str(broken)):
        assert _from_shell("standing", "--period", "2026-03") == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "policy file is not valid" in err
