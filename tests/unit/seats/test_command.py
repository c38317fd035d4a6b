"""`manage.py elearn_seats`: the report, setting a pool, exit 2 on bad input (P-2)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.seats.models import SeatPool

pytestmark = pytest.mark.no_principal  # the command attributes its changes itself


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("elearn_seats", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_set_then_report_as_table_and_json(tree, add_people):  # P-2
    add_people(tree["sales"], 2)
    code, out, _err = run("--unit", "hq", "--set", "5")
    assert code == 0
    assert "Unit hq: 5 seats." in out
    assert out.splitlines()[1].split() == ["unit_code", "seats", "used", "free", "parent_code"]
    assert out.splitlines()[2].split() == ["hq", "5", "2", "3", "-"]
    event = AuditEvent.objects.get(verb="seats.set")
    assert event.actor_system == "command:elearn_seats" and event.actor_user_id is None
    code, out, _err = run("--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "pools": [{"unit_code": "hq", "seats": 5, "used": 2, "free": 3, "parent_code": None}]
    }


def test_report_without_pools(tree):  # P-2
    code, out, _err = run()
    assert code == 0 and "not limited" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unit", "nowhere", "--set", "3"), "Unknown unit code “nowhere”."),
        (("--unit", "hq", "--set", "-3"), "whole number of seats, 0 or more (got “-3”)"),
        (("--unit", "hq", "--set", "abc"), "whole number of seats, 0 or more (got “abc”)"),
        (
            (
                "--unit",
                "hq",
            ),
            "Give both --unit and --set",
        ),
        (
            (
                "--set",
                "3",
            ),
            "Give both --unit and --set",
        ),
    ],
)
def test_bad_input_exits_2(tree, args, message):  # P-2
    code, _out, err = run(*args)
    assert code == 2
    assert message in err
    assert not SeatPool.objects.exists()


def test_a_count_below_used_exits_2(tree, add_people):  # P-2
    add_people(tree["hq"], 3)
    assert run("--unit", "hq", "--set", "4")[0] == 0
    code, _out, err = run("--unit", "hq", "--set", "1")
    assert code == 2 and "Unit hq uses 3 seats" in err
    assert SeatPool.objects.get().seats == 4
