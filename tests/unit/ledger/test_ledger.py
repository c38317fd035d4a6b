"""The ledger: append-only, keyed, idempotent, summed with one aggregate (P-20, P-12, P-33)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from elearn_plugin.ledger import services as ledger
from elearn_plugin.ledger.models import AppendOnlyError, LedgerEntry
from elearn_plugin.ledger.services import LedgerDataError, LedgerEntrySpec

JAN = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)


def _spec(user, key="completion:course-v1:A+B+C", amount="2.00", kind=ledger.CREDIT, when=JAN):
    return LedgerEntrySpec(user.pk, kind, Decimal(amount), key, when, "course-v1:A+B+C")


def test_add_entry_twice_adds_once(make_user):
    # P-20, P-33: a replayed completion credits once
    user = make_user()
    assert ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2"), "completion:x", JAN) is True
    assert ledger.add_entry(user.pk, ledger.CREDIT, Decimal("5"), "completion:x", JAN) is False
    assert list(LedgerEntry.objects.values_list("amount", flat=True)) == [Decimal("2.00")]


def test_same_source_in_other_kind_is_another_entry(make_user):
    # P-12: contribution points are kept apart from credits
    user = make_user()
    assert ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1"), "k", JAN)
    assert ledger.add_entry(user.pk, ledger.POINTS, Decimal("10"), "k", JAN)
    assert ledger.totals(ledger.CREDIT, JAN, FEB) == {user.pk: Decimal("1.00")}
    assert ledger.totals(ledger.POINTS, JAN, FEB) == {user.pk: Decimal("10.00")}


def test_entries_cannot_be_changed_or_deleted(make_user):
    # P-20, P-33: the ledger is an audit trail
    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1"), "k", JAN)
    entry = LedgerEntry.objects.get()
    entry.amount = Decimal("100")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("100"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.update(amount=Decimal("100"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().amount == Decimal("1.00")


def test_bulk_add_counts_only_new_rows_and_repeats_change_nothing(make_user):
    # P-20, P-33
    a, b = make_user(), make_user()
    ledger.add_entry(a.pk, ledger.CREDIT, Decimal("1"), "k1", JAN)
    specs = [_spec(a, "k1"), _spec(a, "k2"), _spec(b, "k1"), _spec(b, "k1")]
    assert ledger.add_entries_bulk(specs) == 2
    assert ledger.add_entries_bulk(specs) == 0
    assert LedgerEntry.objects.count() == 3


def test_bulk_add_with_a_bad_row_writes_nothing(make_user):
    user = make_user()
    bad = LedgerEntrySpec(user.pk, ledger.CREDIT, 1.5, "k3", JAN)  # a float
    with pytest.raises(LedgerDataError, match="float"):
        ledger.add_entries_bulk([_spec(user, "k1"), bad])
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "bonus"}, "kind"),
        ({"amount": "abc"}, "not a number"),
        ({"amount": Decimal("1.234")}, "decimal places"),
        ({"amount": Decimal("NaN")}, "out of range"),
        ({"source_key": " "}, "source_key"),
        ({"source_key": "x" * 201}, "longer"),
        ({"occurred_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"user_id": 0}, "user_id"),
        ({"user_id": 999999}, "unknown user"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(make_user, change, message):
    user = make_user()
    args = {
        "user_id": user.pk,
        "kind": ledger.CREDIT,
        "amount": Decimal("1"),
        "source_key": "k",
        "occurred_at": JAN,
    }
    args.update(change)
    with pytest.raises(LedgerDataError, match=message):
        ledger.add_entry(**args)
    with pytest.raises(LedgerDataError, match=message):
        ledger.add_entries_bulk([LedgerEntrySpec(**args)])
    assert LedgerEntry.objects.count() == 0


def test_totals_is_one_grouped_query_over_a_half_open_range(make_user, django_assert_num_queries):
    # P-20, P-25: rankings read credits per period
    a, b = make_user(), make_user()
    ledger.add_entries_bulk(
        [
            _spec(a, "k1", "1.50"),
            _spec(a, "k2", "2.00", when=datetime(2026, 1, 31, 23, 59, tzinfo=UTC)),
            _spec(a, "k3", "7.00", when=FEB),  # the end is excluded
            _spec(b, "k1", "3.00"),
            _spec(b, "p1", "9.00", kind=ledger.POINTS),
        ]
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with django_assert_num_queries(1):
        result = ledger.totals(ledger.CREDIT, start, FEB)
    assert result == {a.pk: Decimal("3.50"), b.pk: Decimal("3.00")}
    assert ledger.totals(ledger.CREDIT, start, FEB, user_ids=[b.pk]) == {b.pk: Decimal("3.00")}
    assert ledger.totals(ledger.CREDIT, start, FEB, user_ids=[]) == {}


def test_totals_refuses_bad_ranges():
    with pytest.raises(LedgerDataError):
        ledger.totals("bonus", JAN, FEB)
    with pytest.raises(LedgerDataError):
        ledger.totals(ledger.CREDIT, FEB, JAN)
    with pytest.raises(LedgerDataError):
        ledger.totals(ledger.CREDIT, datetime(2026, 1, 1), FEB)
