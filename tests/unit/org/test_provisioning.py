"""Bulk account provisioning by HR and training leads (P-2)."""

import csv
import os
import stat
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from elearn_plugin.org import services
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.org.passwords import PASSWORD_ALPHABET, generate_password
from elearn_plugin.org.provisioning_rows import ProvisionRow, read_rows

User = get_user_model()
HEADER = "employee_id,username,name,email,unit,job_role\n"


def write_csv(tmp_path: Path, body: str, *, bom: bool = False, header: str = HEADER) -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + (header + body).encode("utf-8"))
    return path


def run(path: Path, tmp_path: Path, *args: str, out_name: str = "pw.csv"):
    out = tmp_path / out_name
    from io import StringIO

    stdout, stderr = StringIO(), StringIO()
    try:
        call_command(
            "elearn_provision",
            "--csv",
            str(path),
            "--passwords-out",
            str(out),
            *args,
            stdout=stdout,
            stderr=stderr,
        )
        code = 0
    except CommandError as exc:
        code = exc.returncode
        stderr.write(str(exc))
    return code, stdout.getvalue(), stderr.getvalue(), out


def read_passwords(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


GOOD = (
    "E001,ada,Ada Lovelace,ada@example.com,hq,clerk\n"
    "E002,zhangsan,张三,,sales,engineer\n"
    "E003,lisi,李四,lisi@example.com,sub-it,clerk\n"
)


def test_happy_path_creates_accounts_people_and_memberships(tree, roles, tmp_path):  # P-2
    code, out, err, pw_file = run(write_csv(tmp_path, GOOD), tmp_path)
    assert code == 0, err
    assert "created 3, updated 0, unchanged 0, reported 0" in out
    people = {p.employee_id: p for p in Person.objects.select_related("user", "unit")}
    assert set(people) == {"E001", "E002", "E003"}
    assert people["E002"].name == "张三"
    assert people["E002"].unit.code == "sales"
    assert people["E002"].user.email == "zhangsan@learners.invalid"
    assert people["E002"].user.first_name == "张三"
    assert all(p.must_change_password for p in people.values())
    assert Membership.objects.filter(open_flag=True).count() == 3
    # The hand-out file: owner-only, one line per new account, passwords that work.
    assert stat.S_IMODE(os.stat(pw_file).st_mode) == 0o600
    rows = read_passwords(pw_file)
    assert [r["username"] for r in rows] == ["ada", "zhangsan", "lisi"]
    for row in rows:
        password = row["password"]
        assert len(password) >= 12
        assert not set(password) & set("0O1lI")
        assert User.objects.get(username=row["username"]).check_password(password)
        assert password not in out and password not in err


def test_rerun_is_a_no_op_and_never_regenerates_passwords(tree, roles, tmp_path):  # P-2
    path = write_csv(tmp_path, GOOD)
    run(path, tmp_path)
    hashes = dict(User.objects.values_list("username", "password"))
    code, out, _err, pw_file = run(path, tmp_path, out_name="pw2.csv")
    assert code == 0
    assert "created 0, updated 0, unchanged 3, reported 0" in out
    assert not pw_file.exists()
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert Membership.objects.count() == 3


def test_changed_rows_are_reported_without_update(tree, roles, tmp_path):  # P-2
    run(write_csv(tmp_path, GOOD), tmp_path)
    changed = GOOD.replace("E002,zhangsan,张三,,sales,engineer", "E002,zhangsan,张三丰,,hq,clerk")
    code, out, _err, _pw = run(write_csv(tmp_path, changed), tmp_path, out_name="pw2.csv")
    assert code == 0
    assert "line 3: changed name, unit, job_role" in out
    assert "created 0, updated 0, unchanged 2, reported 1" in out
    person = Person.objects.get(employee_id="E002")
    assert (person.name, person.unit.code, person.job_role.code) == ("张三", "sales", "engineer")


def test_changed_rows_are_applied_with_update(tree, roles, tmp_path):  # P-2
    run(write_csv(tmp_path, GOOD), tmp_path)
    hashes = dict(User.objects.values_list("username", "password"))
    changed = GOOD.replace(
        "E001,ada,Ada Lovelace,ada@example.com,hq,clerk",
        "E001,ada,Ada King,ada.king@example.com,sales,engineer",
    )
    code, out, _err, _pw = run(
        write_csv(tmp_path, changed), tmp_path, "--update", out_name="pw2.csv"
    )
    assert code == 0
    assert "created 0, updated 1, unchanged 2, reported 0" in out
    person = Person.objects.select_related("user").get(employee_id="E001")
    assert (person.name, person.unit_id, person.job_role.code) == (
        "Ada King",
        tree["sales"].id,
        "engineer",
    )
    assert person.user.email == "ada.king@example.com"
    assert (person.user.first_name, person.user.last_name) == ("Ada", "King")
    history = list(Membership.objects.filter(user=person.user).order_by("valid_from"))
    assert [m.unit_id for m in history] == [tree["hq"].id, tree["sales"].id]
    assert history[0].valid_to is not None
    assert dict(User.objects.values_list("username", "password")) == hashes
    # Applied once: the same file again is unchanged.
    code, out, _err, _pw = run(
        write_csv(tmp_path, changed), tmp_path, "--update", out_name="pw3.csv"
    )
    assert "created 0, updated 0, unchanged 3, reported 0" in out


def test_bom_and_chinese_names(tree, roles, tmp_path):  # P-2
    body = "E010,wangwu,王五,,sub,clerk\r\nE011,zhaoliu,赵六,zl@example.com,sub-it,engineer\r\n"
    code, out, err, _pw = run(write_csv(tmp_path, body, bom=True), tmp_path)
    assert code == 0, err
    assert set(Person.objects.values_list("name", flat=True)) == {"王五", "赵六"}


def test_dry_run_changes_nothing(tree, roles, tmp_path):  # P-2
    code, out, _err, pw_file = run(write_csv(tmp_path, GOOD), tmp_path, "--dry-run")
    assert code == 0
    assert "created 3" in out
    assert not Person.objects.exists() and not User.objects.exists()
    assert not pw_file.exists()


BAD_ROWS = [
    # (row, line 2 problem field, part of the message)
    ("E100,bob,Bob,,nowhere,clerk", "unit", "Unknown unit"),
    ("E100,bob,Bob,,hq,pilot", "job_role", "Unknown job role"),
    ("E100,bob,Bob,not-an-email,hq,clerk", "email", "valid email"),
    (",bob,Bob,,hq,clerk", "employee_id", "required"),
    ("E100,,Bob,,hq,clerk", "username", "required"),
    ("E100,bob,,,hq,clerk", "name", "required"),
    ("E100,bob,Bob,,,clerk", "unit", "required"),
    ("E100,bob,Bob,,hq,", "job_role", "required"),
    ("E100,bob," + "x" * 101 + ",,hq,clerk", "name", "Too long"),
    ("E100," + "b" * 31 + ",Bob,,hq,clerk", "username", "Too long"),
    ("E" + "1" * 64 + ",bob,Bob,,hq,clerk", "employee_id", "Too long"),
    ("E100,bob smith,Bob,,hq,clerk", "username", "letters"),
    ("E100,bob,Bob,,hq", "", "columns"),
]


@pytest.mark.parametrize(("row", "field", "message"), BAD_ROWS)
def test_each_bad_row_kind_is_reported_and_nothing_imported(
    tree, roles, tmp_path, row, field, message
):  # P-2
    body = "E001,ada,Ada,,hq,clerk\n" + row + "\nE003,cyd,Cyd,,hq,clerk\n"
    code, _out, err, pw_file = run(write_csv(tmp_path, body), tmp_path)
    assert code == 2
    assert f"line 3: {field or '-'}: " in err
    assert message in err
    assert "line 2" not in err and "line 4" not in err
    assert not User.objects.exists() and not Person.objects.exists()
    assert not pw_file.exists()


def test_duplicates_inside_the_file_name_every_line(tree, roles, tmp_path):  # P-2
    body = (
        "E001,ada,Ada,a@example.com,hq,clerk\n"
        "E001,bob,Bob,b@example.com,hq,clerk\n"
        "E003,ADA,Ada 2,c@example.com,hq,clerk\n"
        "E004,dan,Dan,B@example.com,hq,clerk\n"
    )
    code, _out, err, _pw = run(write_csv(tmp_path, body), tmp_path)
    assert code == 2
    for expected in (
        "line 2: employee_id",
        "line 3: employee_id",
        "line 2: username",
        "line 4: username",
        "line 3: email",
        "line 5: email",
    ):
        assert expected in err
    assert not User.objects.exists()


def test_taken_usernames_and_employee_ids(tree, roles, tmp_path, make_user):  # P-2
    run(write_csv(tmp_path, "E001,ada,Ada,,hq,clerk\n"), tmp_path)
    make_user("outsider", email="outsider@example.com")
    body = (
        "E002,ada,Ada Again,,hq,clerk\n"  # username of another person
        "E001,ada2,Ada,,hq,clerk\n"  # employee id of another person's account
        "E003,outsider,Out,,hq,clerk\n"  # an account outside the organisation
        "E004,eve,Eve,outsider@example.com,hq,clerk\n"  # email of another account
        "E005,fay,Fay,,hq,clerk\n"
    )
    code, _out, err, _pw = run(write_csv(tmp_path, body), tmp_path, out_name="pw2.csv")
    assert code == 2
    assert "line 2: username: Already taken by a person" in err
    assert "line 3: employee_id: Already belongs" in err
    assert "line 4: username: Already taken by an account outside" in err
    assert "line 5: email: Already used" in err
    assert "line 6" not in err
    assert not User.objects.filter(username="fay").exists()
    assert Person.objects.count() == 1


def test_wrong_header_is_refused(tree, roles, tmp_path):  # P-2
    path = write_csv(tmp_path, "E1,ada,Ada,,hq,clerk\n", header="id,login,name,email,unit,role\n")
    code, _out, err, _pw = run(path, tmp_path)
    assert code == 2
    assert "line 1" in err and "header" in err
    assert not User.objects.exists()


def test_header_order_does_not_matter(tree, roles, tmp_path):  # P-2
    path = write_csv(
        tmp_path,
        "hq,clerk,E1,ada,Ada,\n",
        header="unit,job_role,employee_id,username,name,email\n",
    )
    code, _out, err, _pw = run(path, tmp_path)
    assert code == 0, err
    assert Person.objects.get().unit_id == tree["hq"].id


def test_not_utf8_names_the_line(tree, roles, tmp_path):  # P-2
    path = tmp_path / "gbk.csv"
    path.write_bytes(HEADER.encode() + "E1,ada,张三,,hq,clerk\n".encode("gbk"))
    code, _out, err, _pw = run(path, tmp_path)
    assert code == 2
    assert "line 2" in err and "UTF-8" in err


def test_unreadable_file(tmp_path, db):  # P-2
    code, _out, err, _pw = run(tmp_path / "missing.csv", tmp_path)
    assert code == 2
    assert "Cannot read" in err


def test_existing_passwords_file_is_never_overwritten(tree, roles, tmp_path):  # P-2
    (tmp_path / "pw.csv").write_text("keep")
    code, _out, err, pw_file = run(write_csv(tmp_path, GOOD), tmp_path)
    assert code == 2
    assert pw_file.read_text() == "keep"
    assert not User.objects.exists()


def test_failing_password_sink_rolls_everything_back(tree, roles):  # P-2
    rows, problems = read_rows(HEADER + GOOD)
    assert problems == []

    def sink(_issued):
        raise OSError("disk full")

    with pytest.raises(OSError):
        services.provision(rows, update=False, actor=None, password_sink=sink)
    assert not User.objects.exists() and not Person.objects.exists()


def test_passwords_never_reach_the_report(tree, roles):  # P-2
    rows, _ = read_rows(HEADER + GOOD)
    issued = []
    report = services.provision(rows, update=False, actor=None, password_sink=issued.extend)
    assert report.applied and report.created == 3
    assert all(p.password not in repr(report) for p in issued)


def test_generated_passwords(db):  # P-2
    passwords = {generate_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) == 12
        assert set(password) <= set(PASSWORD_ALPHABET)
        assert any(c.isdigit() for c in password) and any(c.isupper() for c in password)
    assert len(generate_password(4)) == 12


def test_large_file_uses_a_bounded_number_of_queries(
    tree, roles, django_assert_max_num_queries
):  # P-2
    rows = [
        ProvisionRow(i + 2, f"E{i:05d}", f"user{i:05d}", f"名字{i}", "", "hq", "clerk")
        for i in range(2500)
    ]
    # SQLite splits each bulk insert by its bound-variable limit (~70 INSERTs here in all):
    # far below one query per row. +50 for the audit trail (P-11): `person.created` and
    # `person.password_issued` for each account, one INSERT per 1000 events on MySQL, which
    # SQLite's 999 bound variables split into 25 INSERTs per verb here (111 rows each).
    with django_assert_max_num_queries(150):
        report = services.provision(rows, update=False, actor=None)
    assert report.created == 2500 and Person.objects.count() == 2500
    with django_assert_max_num_queries(25):
        report = services.provision(rows, update=False, actor=None)
    assert report.unchanged == 2500


# ---------------------------------------------------------------- training leads


ROWS_SUB = "E201,sub1,Sub One,,sub,clerk\nE202,sub2,Sub Two,,sub-it,clerk\n"


def test_lead_provisions_inside_own_subtree(tree, roles, make_user):  # P-2
    lead = make_user()
    services.assign_contact(lead.id, tree["sub"].id, is_lead=True)
    rows, _ = read_rows(HEADER + ROWS_SUB)
    report = services.provision(rows, update=False, actor=lead)
    assert report.ok and report.applied and report.created == 2


def test_lead_outside_own_subtree_imports_nothing(tree, roles, make_user):  # P-2
    lead = make_user()
    services.assign_contact(lead.id, tree["sub"].id, is_lead=True)
    rows, _ = read_rows(HEADER + ROWS_SUB + "E203,hq1,HQ One,,hq,clerk\n")
    report = services.provision(rows, update=False, actor=lead)
    assert not report.applied
    assert [(p.line, p.field) for p in report.problems] == [(4, "unit")]
    assert not Person.objects.exists()


def test_lead_cannot_move_a_person_in_from_another_unit(tree, roles, make_user):  # P-2
    rows, _ = read_rows(HEADER + "E300,hqp,HQ Person,,hq,clerk\n")
    services.provision(rows, update=False, actor=None)
    lead = make_user()
    services.assign_contact(lead.id, tree["sub"].id, is_lead=True)
    rows, _ = read_rows(HEADER + "E300,hqp,HQ Person,,sub,clerk\n")
    report = services.provision(rows, update=True, actor=lead)
    assert [(p.line, p.field) for p in report.problems] == [(2, "unit")]
    assert Person.objects.get().unit_id == tree["hq"].id


@pytest.mark.parametrize("kind", ["plain contact", "learner", "inactive lead"])
def test_non_leads_may_not_provision(tree, roles, make_user, kind):  # P-2
    user = make_user(is_active=kind != "inactive lead")
    if kind != "learner":
        services.assign_contact(user.id, tree["sub"].id, is_lead=kind == "inactive lead")
    rows, _ = read_rows(HEADER + ROWS_SUB)
    report = services.provision(rows, update=False, actor=user)
    assert [p.line for p in report.problems] == [2, 3]
    assert not Person.objects.exists()


def test_staff_provisions_anywhere(tree, roles, make_user):  # P-2
    hr = make_user(is_staff=True)
    rows, _ = read_rows(HEADER + ROWS_SUB + "E203,hq1,HQ One,,hq,clerk\n")
    assert services.provision(rows, update=False, actor=hr).created == 3


# P-2, P-33: the PBKDF2 hashing of new passwords runs before the transaction opens (it takes
# most of an import's time; row locks must not be held meanwhile), and the hash stored is
# the hash of the password handed out
def test_new_passwords_are_hashed_before_the_transaction(tree, roles, monkeypatch):
    from django.contrib.auth.hashers import check_password
    from django.db import connection

    from elearn_plugin.host import users as host_users

    outside = len(connection.atomic_blocks)
    depths = []
    real = host_users.make_password

    def recording(password, *args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return real(password, *args, **kwargs)

    monkeypatch.setattr(host_users, "make_password", recording)
    rows, _ = read_rows(HEADER + GOOD)
    issued = []
    report = services.provision(rows, update=False, actor=None, password_sink=issued.extend)
    assert report.applied and report.created == 3
    assert len(depths) == 3 and set(depths) == {outside}
    for pw in issued:
        assert check_password(pw.password, User.objects.get(username=pw.username).password)
    depths.clear()
    # A dry run or a re-run (nothing new) hashes nothing.
    services.provision(rows, update=False, actor=None, dry_run=True)
    services.provision(rows, update=False, actor=None)
    assert depths == []
