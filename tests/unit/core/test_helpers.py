"""The shared helpers: chunking, time checks and the user look-up the services rely on."""

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn_plugin.core import users
from elearn_plugin.core.batching import chunked, collector_paused
from elearn_plugin.core.timeutil import is_aware


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=50))
def test_chunks_keep_every_item_in_order_and_respect_the_size(items, size):  # P-33
    chunks = list(chunked(items, size))
    assert [x for chunk in chunks for x in chunk] == items
    assert all(1 <= len(chunk) <= size for chunk in chunks)
    assert len(chunks) == -(-len(items) // size)


def test_chunks_accept_sets_and_generators():
    assert sorted(x for c in chunked({3, 1, 2}, 2) for x in c) == [1, 2, 3]
    assert list(chunked((n * n for n in range(5)), 2)) == [[0, 1], [4, 9], [16]]
    assert list(chunked([], 3)) == []


@pytest.mark.parametrize("size", [0, -1])
def test_chunk_size_below_one_is_refused(size):
    # Bad input: a clear error instead of an endless or empty loop.
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked([1, 2], size))


def test_the_collector_is_paused_for_a_chunk_and_resumed_after_it():  # P-33
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a chunk that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


class _NoOffset(tzinfo):
    def utcoffset(self, dt):
        return None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), True),
        (datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))), True),
        (datetime(2026, 1, 1), False),
        (datetime(2026, 1, 1, tzinfo=_NoOffset()), False),
        (date(2026, 1, 1), False),
        ("2026-01-01T00:00:00+00:00", False),
        (None, False),
    ],
)
def test_is_aware(value, expected):
    # Times are stored in UTC: a naive time or a non-time is refused by every service.
    assert is_aware(value) is expected


@pytest.mark.django_db
def test_missing_user_ids_across_chunks(make_user, monkeypatch, django_assert_num_queries):
    # P-33: one query per chunk of ids, never one per learner.
    monkeypatch.setattr(users, "CHUNK_SIZE", 2)
    known = [make_user().pk for _ in range(3)]
    unknown = {max(known) + 100, max(known) + 101}
    with django_assert_num_queries(3):
        assert users.missing_user_ids([*known, *unknown, known[0]]) == unknown
    assert users.missing_user_ids([]) == set()


@pytest.mark.django_db
def test_services_refuse_a_time_that_is_not_a_datetime(make_user):
    # Bad input: a date string instead of a time gives each domain's own error; nothing written.
    from elearn_plugin.ledger import services as ledger  # noqa: PLC0415
    from elearn_plugin.ledger.models import LedgerEntry  # noqa: PLC0415
    from elearn_plugin.standing import services as standing  # noqa: PLC0415
    from elearn_plugin.standing.models import Sanction  # noqa: PLC0415

    user = make_user()
    with pytest.raises(standing.SanctionError):
        standing.impose(user.pk, "warning", "missed_tasks", "q:1", starts_at="2026-01-01")
    with pytest.raises(ledger.LedgerDataError, match="timezone-aware"):
        ledger.add_entry(user.pk, "credit", Decimal("1"), "c:1", "2026-01-01")
    with pytest.raises(ledger.LedgerDataError, match="timezone-aware"):
        ledger.totals("credit", datetime(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC))
    assert not Sanction.objects.exists()
    assert not LedgerEntry.objects.exists()
