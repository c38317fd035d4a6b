"""`manage.py elearn_verify_audit`: seals, verifies, prints the head, names tampering (P-33)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from elearn_plugin import audit
from elearn_plugin.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[int]:
    with transaction.atomic():
        for i in range(n):
            audit.record(None, "contact.removed", f"elearn_plugin.unit:{i + 1}", {"unit_id": i + 1})
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def _call(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("elearn_verify_audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_an_intact_trail_is_sealed_verified_and_its_head_printed():
    _events(3)
    code, out, _ = _call()
    assert code == 0
    assert "sealed now: 3; verified: 3 rows" in out
    head = next(line for line in out.splitlines() if line.startswith("chain head: "))
    assert head.startswith("chain head: 3:")
    assert _call("--expect-head", head.removeprefix("chain head: "))[0] == 0


def test_tampering_is_named_and_exits_1():
    ids = _events(3)
    _call()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET verb = %s WHERE id = %s",
            ["sanction.lifted", ids[1]],
        )
    code, _, err = _call("--full")
    assert code == 1
    assert f"AUDIT TRAIL BROKEN: position 2 (event id {ids[1]})" in err


def test_the_newest_rows_deleted_are_found_against_the_kept_head():
    ids = _events(3)
    _, out, _ = _call()
    kept = out.split("chain head: ")[1].split()[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [ids[-1]])
    assert _call("--full")[0] == 0
    code, _, err = _call("--full", "--expect-head", kept)
    assert code == 1 and "kept head (position 3)" in err


def test_without_a_key_it_says_so_and_exits_2(settings):
    settings.ELEARN_AUDIT_KEY = ""
    _events(1)
    code, _, err = _call()
    assert code == 2 and "ELEARN_AUDIT_KEY is not set" in err
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 1


@pytest.mark.parametrize("head", ["12", "x:" + "0" * 64, "3:abc", ":" + "0" * 64])
def test_bad_head_is_refused_and_nothing_is_sealed(head):
    _events(1)
    with pytest.raises(CommandError, match="POSITION:HMAC"):
        call_command("elearn_verify_audit", "--expect-head", head, stdout=StringIO())
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 1


def test_unknown_options_are_refused():
    with pytest.raises(CommandError, match="unrecognized"):
        call_command("elearn_verify_audit", "--repair", stdout=StringIO())
