"""Running credit totals on MariaDB, the platform's database (ADR 0014): the writer's
`ON DUPLICATE KEY UPDATE`, concurrent writers losing no increment, and a build that waits
for a writer's open transaction and counts its entry once (P-25, P-33)."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from elearn_plugin.audit import acting_as
from elearn_plugin.ledger import services as ledger
from elearn_plugin.ledger import totals
from elearn_plugin.ledger.models import CreditTotal
from elearn_plugin.ledger.services import LedgerEntrySpec
from elearn_plugin.rules.periods import period_from_label

ZONE = "Asia/Shanghai"
MAY = datetime(2026, 5, 4, 3, 0, tzinfo=UTC)


def _year_totals() -> dict[int, int]:
    return dict(CreditTotal.objects.filter(period="2026").values_list("user_id", "cents"))


def _ledger_year() -> dict[int, int]:
    year = period_from_label("2026", ZoneInfo(ZONE))
    found = ledger.totals(ledger.CREDIT, year.start_utc, year.end_utc)
    return {user_id: int(total * 100) for user_id, total in found.items()}


def _in_thread(fn, errors: list) -> threading.Thread:
    def run():
        try:
            with acting_as("job:credit_totals_test"):  # the actor does not cross threads
                fn()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


# P-25, P-33: the upsert adds to existing rows on MariaDB and a replay adds nothing
def test_writer_upserts_on_mariadb(db, make_user):
    totals.build(ZONE)
    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1.25"), "a", MAY)
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2.50"), "b", MAY + timedelta(days=40))
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("9"), "b", MAY)  # the key is taken
    rows = dict(CreditTotal.objects.filter(user=user).values_list("period", "cents"))
    assert rows == {
        "2026-05": 125,
        "2026-06": 250,
        "2026-Q2": 375,
        "2026-H1": 375,
        "2026": 375,
    }
    assert totals.build(ZONE) == len(rows)
    assert _year_totals() == _ledger_year()


# P-33: two writers incrementing the same learners' rows at once lose nothing
def test_concurrent_writers_lose_no_increment(transactional_db, make_user):
    totals.build(ZONE)
    users = [make_user() for _ in range(3)]
    errors: list = []

    def writer(tag: str):
        def write():
            for n in range(20):
                ledger.add_entries_bulk(
                    [
                        LedgerEntrySpec(u.pk, ledger.CREDIT, Decimal("0.35"), f"{tag}{n}", MAY)
                        for u in users
                    ]
                )

        return write

    threads = [_in_thread(writer(tag), errors) for tag in ("x", "y")]
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert _year_totals() == {u.pk: 40 * 35 for u in users} == _ledger_year()


# P-33: a build waits for a writer's open transaction; the entry is counted exactly once
def test_a_build_waits_for_an_open_writer_and_counts_its_entry_once(transactional_db, make_user):
    totals.build(ZONE)
    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1"), "before", MAY)
    written, release, errors = threading.Event(), threading.Event(), []
    built: list[int] = []

    def slow_writer():
        with transaction.atomic():
            ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2"), "during", MAY)
            written.set()
            release.wait(timeout=60)

    writer = _in_thread(slow_writer, errors)
    assert written.wait(timeout=30)
    builder = _in_thread(lambda: built.append(totals.build(ZONE)), errors)
    builder.join(timeout=2)
    assert builder.is_alive(), "the build did not wait for the writer's shared lock"
    release.set()
    writer.join(timeout=60)
    builder.join(timeout=60)
    assert not errors and built
    assert _year_totals() == {user.pk: 300} == _ledger_year()


@pytest.mark.parametrize("zone", ["Nowhere/City", "UTC; DROP TABLE x"])
def test_a_bad_zone_changes_nothing_on_mariadb(db, make_user, zone):
    totals.build(ZONE)
    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1"), "k", MAY)
    with pytest.raises(totals.TotalsError):
        totals.build(zone)
    assert totals.built_zone() == ZONE
    assert _year_totals() == {user.pk: 100}
