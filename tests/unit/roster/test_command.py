"""`manage.py elearn_sync_roster` (P-2, P-6, P-7): exit codes, the printed diff, the guard."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.roster.models import RosterSync
from tests.unit.roster.conftest import HEADER, csv_of, leaving, new_person, roster_of

pytestmark = [pytest.mark.django_db, pytest.mark.no_principal]


def state():
    return (
        sorted(Person.objects.values_list("employee_id", "unit_id", "job_role_id", "status")),
        Membership.objects.count(),
    )


def run(*args):
    from io import StringIO  # noqa: PLC0415

    out, err = StringIO(), StringIO()
    call_command("elearn_sync_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def roster_file(tmp_path):
    def _write(text: str | bytes) -> str:
        path = tmp_path / "roster.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)

    return _write


def test_a_roster_freezing_40_percent_is_held_then_applied_with_confirm(people, roster_file):
    # P-7: 24 of 60 leave; the guard holds it (exit 3) until HR confirms.
    staff = people(60)
    day = date(2026, 11, 30)
    path = roster_file(
        csv_of(roster_of(staff, **{p.employee_id: leaving(day) for p in staff[:24]}))
    )
    before = state()
    with pytest.raises(SystemExit) as caught:
        run("--csv", path)
    assert caught.value.code == 3
    assert state() == before
    assert RosterSync.objects.get().status == "held"
    out, _err = run("--csv", path, "--confirm")
    assert "departures: 24" in out and "E0001" in out and "(and 4 more)" in out
    assert Person.objects.filter(status=Person.DEPARTED).count() == 24
    event = AuditEvent.objects.get(verb="roster.applied")
    assert event.actor_system == "command:elearn_sync_roster"
    assert event.data["departure_count"] == 24


def test_the_held_message_says_how_to_confirm(people, roster_file, capsys):  # P-7
    staff = people(30)
    path = roster_file(csv_of(roster_of(staff[:10])))  # truncated: 20 of 30 left out
    with pytest.raises(SystemExit) as caught:
        call_command("elearn_sync_roster", "--csv", path)
    assert caught.value.code == 3
    assert "--confirm" in capsys.readouterr().err


def test_dry_run_prints_the_diff_and_changes_nothing(people, roster_file):  # P-2, P-6
    staff = people(3)
    roster = roster_of(staff, E0001={"unit": "sales"}) + [new_person("N1")]
    path = roster_file(csv_of(roster))
    before = state()
    out, _err = run("--csv", path, "--dry-run")
    assert "hires: 1 — N1" in out and "transfers: 1 — E0001" in out
    assert "Dry run" in out
    assert state() == before and not RosterSync.objects.exists()


def test_applied_then_rerun_changes_nothing(people, roster_file):  # P-2, P-33
    staff = people(3)
    roster = roster_of(staff, E0002={"job_role": "manager"}) + [new_person("N1")]
    path = roster_file(csv_of(roster))
    out, _err = run("--csv", path)
    assert "Applied" in out
    assert Person.objects.get(employee_id="E0002").job_role.code == "manager"
    before = (state(), AuditEvent.objects.count(), RosterSync.objects.count())
    out, _err = run("--csv", path)
    assert "Nothing to do" in out
    assert (state(), AuditEvent.objects.count(), RosterSync.objects.count()) == before


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda rows: rows.replace(HEADER, HEADER.replace(",hired", "")), "line 1"),
        (lambda rows: rows.replace(",hq,", ",nowhere,", 1), "unit"),
        (lambda rows: rows + rows.splitlines()[1] + "\n", "employee_id"),
        (lambda rows: rows.replace("active", "gone", 1), "status"),
    ],
    ids=["missing-column", "unknown-unit", "duplicate-employee-id", "bad-status"],
)
def test_bad_csv_exits_2_and_changes_nothing(people, roster_file, make, problem, capsys):
    # P-2: strict input: every problem by line, nothing applied, nothing recorded.
    staff = people(3)
    text = make(csv_of(roster_of(staff) + [new_person("N1")]))
    before = state()
    with pytest.raises(CommandError) as caught:
        call_command("elearn_sync_roster", "--csv", roster_file(text))
    assert caught.value.returncode == 2
    assert problem in capsys.readouterr().err + str(caught.value)
    assert state() == before and not RosterSync.objects.exists()


def test_csv_with_bom_is_read(people, roster_file):  # P-2
    staff = people(2)
    data = b"\xef\xbb\xbf" + csv_of(roster_of(staff) + [new_person("N1")]).encode()
    out, _err = run("--csv", roster_file(data))
    assert "Applied" in out and Person.objects.filter(employee_id="N1").exists()


def test_unreadable_file_and_bad_arguments_exit_2(db, tmp_path, settings):  # P-2
    with pytest.raises(CommandError) as caught:
        run("--csv", str(tmp_path / "missing.csv"))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        run("--csv", str(tmp_path / "missing.csv"), "--dry-run", "--confirm")
    assert caught.value.returncode == 2
    settings.ELEARN_ROSTER_URL = ""
    with pytest.raises(CommandError) as caught:
        run()
    assert caught.value.returncode == 2 and "--csv" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffemployee_id,username,name\nE1,u1,N\n".encode(),  # a UTF-8 BOM, missing columns
        "\ufeff".encode("utf-16-le") + HEADER.encode("utf-16-le"),  # a UTF-16 file
    ],
    ids=["utf8-bom-missing-columns", "utf16-bom"],
)
def test_bom_files_with_bad_content_exit_2(people, roster_file, data):  # P-2
    people(2)
    before = state()
    with pytest.raises(CommandError) as caught:
        run("--csv", roster_file(data))
    assert caught.value.returncode == 2
    assert state() == before and not RosterSync.objects.exists()


def test_no_personal_data_in_logs_or_output(people, roster_file, caplog):  # P-32
    staff = people(2)
    roster = roster_of(staff) + [new_person("N1", name="张伟", email="zhang.wei@example.com")]
    with caplog.at_level("DEBUG"):
        out, err = run("--csv", roster_file(csv_of(roster)))
    assert Person.objects.filter(employee_id="N1").exists()
    for text in (caplog.text, out, err):
        assert "张伟" not in text and "zhang.wei" not in text
