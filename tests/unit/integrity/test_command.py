"""`manage.py elearn_check_integrity`: exit 0 when consistent, 1 naming each problem, 2 on
bad usage; `--json` for scripts (P-33)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses.services import AssignmentSpec, assign_bulk
from tests.unit.integrity.helpers import delete_rows, undone
from tests.unit.integrity.test_references import WHEN

pytestmark = pytest.mark.no_principal


def _run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("elearn_check_integrity", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def _seed(make_user):
    from elearn_plugin import audit

    user = make_user()
    with audit.acting_as("system:tests"):
        assign_bulk([AssignmentSpec(user.pk, "course-v1:Org+X+1", WHEN)])
    return user


def test_a_consistent_database_exits_0(make_user):
    from elearn_plugin.host.catalogue import FakeCatalogueAdapter

    _seed(make_user)
    FakeCatalogueAdapter.register("course-v1:Org+X+1")
    chain.seal()
    seq, mac = chain.head()
    code, out = _run("--expect-head", f"{seq}:{mac}")
    assert code == 0, out
    assert "0 problem(s)" in out


def test_problems_exit_1_one_line_each(make_user):
    user = _seed(make_user)
    chain.seal()
    with undone():
        delete_rows("auth_user", [user.pk])
        AuditEvent.objects.filter(seq=1).update(target="elearn_plugin.unit:999")
        code, out = _run()
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    checks = {line.split()[1] for line in lines}
    assert {"missing_user", "unknown_course", "audit_chain_broken"} <= checks
    assert any("elearn_plugin_assignment.user_id: 1 row(s), e.g. ids" in line for line in lines)
    assert user.username not in out and user.email not in out  # P-32


def test_json_report(make_user):
    _seed(make_user)
    code, out = _run("--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    [problem] = data["problems"]
    assert problem["check"] == "unknown_course"
    assert problem["table"] == "elearn_plugin_assignment.course_key"
    assert problem["count"] == 1 and len(problem["example_ids"]) == 1
    assert data["checked"] > 50


@pytest.mark.parametrize("head", ["12", "x:abc", "3:" + "z" * 10])
def test_a_malformed_head_is_bad_usage(db, head):
    with pytest.raises(CommandError) as caught:
        call_command("elearn_check_integrity", "--expect-head", head)
    assert caught.value.returncode == 2


def test_the_head_as_verify_prints_it_is_accepted(db):
    from elearn_plugin.management.commands.elearn_check_integrity import parse_head

    assert parse_head(f"chain head: 7:{'A' * 64}") == (7, "a" * 64)


def test_unknown_options_are_refused_and_nothing_is_verified(db):
    from elearn_plugin.audit.models import AuditChain

    with pytest.raises(CommandError, match="unrecognized"):
        call_command("elearn_check_integrity", "--repair", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("elearn_check_integrity", "--expect-head", "1:" + "0" * 63)
    assert not AuditChain.objects.filter(verified_at__isnull=False).exists()
