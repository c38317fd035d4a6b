"""The audit chain on MariaDB, the platform's database (P-11, P-33).

MariaDB keeps a JSON column as text in the form it was written, microseconds in DATETIME(6),
and row locks for `SELECT ... FOR UPDATE`: the seal must survive the first two and the third
must keep two sealers from handing out one position twice.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from elearn_plugin import audit
from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditEvent


def _events(n: int, offset: int = 0) -> None:
    with transaction.atomic():
        audit.record_bulk(
            None,
            "unit.moved",
            [
                (f"elearn_plugin.unit:{offset + i}", {"parent_id": i, "old_parent_id": None})
                for i in range(n)
            ],
        )


def test_the_chain_verifies_after_mariadb_reformats_the_json(db):
    _events(20)
    assert chain.seal() == 20
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        # Same value, other text: key order and spacing as another client would write it.
        cursor.execute(
            f"UPDATE {table} SET data = %s WHERE seq = 1",
            ['{ "old_parent_id" : null, "parent_id" : 0 }'],
        )
    assert chain.verify(full=True).ok
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET target = 'elearn_plugin.unit:999' WHERE seq = 7")
    result = chain.verify(full=True)
    assert "position 7" in result.problem


def test_microseconds_survive_the_round_trip(db):
    _events(3)
    chain.seal()
    stored = list(AuditEvent.objects.values_list("occurred_at", flat=True))
    assert any(value.microsecond for value in stored), "DATETIME(6) expected"
    assert chain.verify(full=True).ok


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_keep_the_chain_dense():
    for batch in range(4):
        _events(250, offset=batch * 1000)
    errors: list[BaseException] = []

    def seal() -> None:
        try:
            with audit.acting_as("job:audit.seal"):
                chain.seal()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    positions = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert positions == list(range(1, 1001))
    assert chain.verify(full=True).ok
