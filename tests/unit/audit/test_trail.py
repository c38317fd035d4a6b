"""The audit trail: what may be recorded, by whom, and the HMAC chain that finds edits by hand.

P-11 (who did what is traceable), P-33 (nothing is lost or doubled; tampering is found).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from elearn_plugin import audit
from elearn_plugin.audit import chain
from elearn_plugin.audit.models import AuditChain, AuditEvent
from elearn_plugin.org.models import Unit

pytestmark = pytest.mark.django_db


def _record(n: int, actor=None, verb: str = "contact.removed") -> list[int]:
    with transaction.atomic():
        for i in range(n):
            audit.record(actor, verb, f"elearn_plugin.unit:{i + 1}", {"unit_id": i + 1})
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{t}", AuditEvent._meta.db_table), params)


# --- what may be recorded -----------------------------------------------------------------


def test_an_event_names_actor_verb_target_and_ids(make_user):  # P-11
    hr = make_user()
    unit = Unit.objects.create(code="HQ", name="HQ", path="/1/", depth=0)
    with transaction.atomic():
        audit.record(hr, "unit.created", unit, {"unit_code": "HQ", "parent_id": None})
    event = AuditEvent.objects.get()
    assert (event.actor_user_id, event.actor_system) == (hr.pk, "")
    assert event.target == f"elearn_plugin.unit:{unit.pk}"
    assert event.data == {"unit_code": "HQ", "parent_id": None}
    assert event.seq is None and event.mac == ""  # sealed later, after commit


def test_the_running_principal_is_the_actor_when_none_is_given():
    with audit.acting_as("job:month_close"):
        _record(1)
    assert AuditEvent.objects.get().actor_system == "job:month_close"


@pytest.mark.no_principal
def test_a_change_nobody_made_is_refused():  # P-11
    with pytest.raises(audit.AuditError, match="no actor"):
        _record(1)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("verb", "data", "message"),
    [
        ("no.such_verb", {}, "unknown audit verb"),
        ("contact.removed", {"name": "Zhang San"}, "may not hold"),
        ("contact.removed", {"unit_id": "7"}, "must be an integer"),
        ("sanction.imposed", {"reason_code": "has spaces in it"}, "must be a code"),
        ("sanction.imposed", {"source_key": 17}, "must be a key"),
        ("sanction.imposed", {"ends_at": datetime(2026, 1, 1)}, "timezone-aware"),  # noqa: DTZ001
        ("contact.assigned", {"is_lead": 1}, "true or false"),
        ("contact.removed", ["unit_id"], "must be a dict"),
    ],
)
def test_data_holds_ids_and_codes_only(verb, data, message):
    """Free text (names, e-mail, reasons) never enters the trail, so retirement needn't touch it."""
    with pytest.raises(audit.AuditError, match=message), transaction.atomic():
        audit.record(None, verb, "elearn_plugin.unit:1", data)
    assert not AuditEvent.objects.exists()


def test_a_key_holding_free_text_is_kept_as_its_digest():
    with transaction.atomic():
        audit.record(
            None, "sanction.imposed", "elearn_plugin.sanction:1", {"source_key": "case of Li Si"}
        )
        audit.record(
            None, "sanction.imposed", "elearn_plugin.sanction:2", {"source_key": "quota:2026-11"}
        )
    stored = list(AuditEvent.objects.order_by("id").values_list("data", flat=True))
    assert stored[0]["source_key"].startswith("sha256:") and "Li" not in stored[0]["source_key"]
    assert stored[1] == {"source_key": "quota:2026-11"}


@pytest.mark.parametrize("target", ["unit:1", "elearn_plugin.unit:", "a b.c:1", 17])
def test_a_target_must_name_a_model_row(target):
    with pytest.raises(audit.AuditError), transaction.atomic():
        audit.record(None, "contact.removed", target, {})


@pytest.mark.parametrize("actor", [True, 0, -3, "root", object()])
def test_an_actor_is_a_user_a_user_id_or_none(actor):
    with pytest.raises(audit.AuditError, match="actor"), transaction.atomic():
        audit.record(actor, "contact.removed", "elearn_plugin.unit:1", {})


@pytest.mark.parametrize("name", ["month close", "Job:x", "job:", "admin", "job:" + "x" * 80])
def test_a_principal_has_a_kind_and_a_name(name):
    with pytest.raises(audit.AuditError, match="system principal"):
        with audit.acting_as(name):
            pass


@pytest.mark.django_db(transaction=True)
def test_an_event_is_written_in_the_changes_transaction_only():
    with pytest.raises(audit.AuditError, match=r"transaction\.atomic"):
        audit.record(None, "contact.removed", "elearn_plugin.unit:1", {})
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(None, "contact.removed", "elearn_plugin.unit:1", {})
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()  # rolled back with the change


def test_the_bulk_form_writes_one_row_per_target():
    with transaction.atomic():
        count = audit.record_bulk(
            None, "contact.removed", [(f"elearn_plugin.unit:{i}", {"unit_id": i}) for i in range(5)]
        )
    assert count == 5 == AuditEvent.objects.count()


# --- the chain ----------------------------------------------------------------------------


def test_sealed_rows_verify_and_the_head_is_printed_for_keeping():  # P-33
    _record(5)
    assert chain.seal() == 5
    assert chain.seal() == 0  # nothing twice
    result = chain.verify(full=True)
    assert result.ok and result.checked == 5
    seq, mac = chain.head()
    assert seq == 5 and len(mac) == 64
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_verification_is_incremental_from_the_last_verified_row():
    _record(3)
    chain.seal()
    assert chain.verify().checked == 3
    _record(2)
    chain.seal()
    assert chain.verify().checked == 2
    assert AuditChain.objects.get().verified_seq == 5


def test_an_edited_row_is_named():  # P-33
    ids = _record(4)
    chain.seal()
    chain.verify()
    _sql("UPDATE {t} SET data = %s WHERE id = %s", ['{"unit_id": 99}', ids[2]])
    result = chain.verify(full=True)
    assert not result.ok
    assert f"position 3 (event id {ids[2]})" in result.problem
    assert "changed by hand" in result.problem
    assert AuditChain.objects.get().problem == result.problem


def test_an_edited_actor_is_named_even_after_the_row_was_verified():
    ids = _record(3)
    chain.seal()
    chain.verify()
    _sql("UPDATE {t} SET actor_system = %s WHERE id = %s", ["job:innocent", ids[0]])
    assert chain.verify().ok  # incremental: row 1 was verified already ...
    assert "position 1" in chain.verify(full=True).problem  # ... the daily full walk finds it


def test_a_deleted_row_is_named():
    ids = _record(5)
    chain.seal()
    _sql("DELETE FROM {t} WHERE id = %s", [ids[1]])
    result = chain.verify()
    assert "positions 2..2 are missing" in result.problem
    assert f"event id {ids[2]}" in result.problem


def test_swapped_rows_are_named():
    ids = _record(4)
    chain.seal()
    # Swap the places of rows 2 and 3 (seq is unique: move one aside first).
    _sql("UPDATE {t} SET seq = 1000 WHERE id = %s", [ids[1]])
    _sql("UPDATE {t} SET seq = 2 WHERE id = %s", [ids[2]])
    _sql("UPDATE {t} SET seq = 3 WHERE id = %s", [ids[1]])
    assert "position 2" in chain.verify().problem


def test_a_row_moved_out_of_the_chain_to_be_resealed_leaves_a_gap():
    ids = _record(4)
    chain.seal()
    _sql("UPDATE {t} SET seq = NULL, mac = '', data = %s WHERE id = %s", ['{"unit_id":5}', ids[1]])
    chain.seal()  # the sealer chains the "new" row at the end ...
    assert "positions 2..2 are missing" in chain.verify(full=True).problem  # ... its gap stays


def test_deleting_the_newest_rows_is_found_against_a_kept_head():
    ids = _record(4)
    chain.seal()
    kept = chain.head()
    _sql("DELETE FROM {t} WHERE id IN (%s, %s)", [ids[2], ids[3]])
    assert chain.verify(full=True).ok  # the rest of the chain is consistent ...
    result = chain.verify(full=True, expect_head=kept)
    assert "kept head (position 4) is not in the chain" in result.problem  # ... the head is not


def test_the_json_columns_own_key_order_does_not_matter():
    """MySQL and MariaDB store JSON text differently; the seal covers the parsed value."""
    with transaction.atomic():
        audit.record(
            None, "unit.moved", "elearn_plugin.unit:1", {"parent_id": 2, "old_parent_id": 3}
        )
    chain.seal()
    _sql("UPDATE {t} SET data = %s", ['{ "parent_id" : 2 , "old_parent_id" : 3 }'])
    assert chain.verify(full=True).ok


def test_a_rotated_key_still_verifies_old_rows(settings):
    _record(2)
    chain.seal()
    old = settings.ELEARN_AUDIT_KEY
    settings.ELEARN_AUDIT_KEY = "a-new-key-after-rotation-0123456789"
    settings.ELEARN_AUDIT_RETIRED_KEYS = [old]
    _record(2)
    chain.seal()
    assert len(set(AuditEvent.objects.values_list("key_id", flat=True))) == 2
    assert chain.verify(full=True).ok
    settings.ELEARN_AUDIT_RETIRED_KEYS = []
    assert "not configured" in chain.verify(full=True).problem


def test_rows_forged_with_another_key_are_found(settings):
    _record(2)
    settings.ELEARN_AUDIT_KEY = "someone-elses-key-0123456789abcdef"
    chain.seal()
    settings.ELEARN_AUDIT_KEY = "the-sites-own-key-0123456789abcdef"
    assert "not configured" in chain.verify(full=True).problem


def test_without_a_key_nothing_is_sealed_and_the_health_report_says_so(settings):
    from elearn_plugin.tick.services import health  # noqa: PLC0415

    settings.ELEARN_AUDIT_KEY = ""
    _record(1)
    with pytest.raises(chain.AuditKeyMissing):
        chain.seal()
    report = health()
    assert "audit_key_missing" in report["problems"]
    assert report["audit"]["unsealed"] == 1


def test_the_health_report_names_a_broken_chain():
    from elearn_plugin.tick.services import health  # noqa: PLC0415

    ids = _record(2)
    chain.seal()
    _sql("DELETE FROM {t} WHERE id = %s", [ids[0]])
    chain.verify()
    report = health()
    assert "audit_chain_broken" in report["problems"]
    assert "missing" in report["audit"]["problem"]


def test_canonical_text_has_every_stored_field():
    event = AuditEvent(
        pk=7,
        occurred_at=datetime(2026, 3, 1, 8, 0, 0, 123, tzinfo=UTC),
        actor_user_id=3,
        verb="unit.moved",
        target="elearn_plugin.unit:1",
        data={"parent_id": 2},
    )
    text = chain.canonical_text(event, 4, "abc", "prev")
    assert text.split("\n") == [
        "elearn-audit-v1",
        "4",
        "7",
        "2026-03-01T08:00:00.000123Z",
        "3",
        "",
        "unit.moved",
        "elearn_plugin.unit:1",
        '{"parent_id":2}',
        "abc",
        "prev",
    ]
