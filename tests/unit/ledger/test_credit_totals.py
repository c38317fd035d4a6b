"""Running credit totals (ADR 0014): kept by the ledger's writer in its transaction, equal to
the ledger's own sums per period in the policy's zone, rebuilt set-based (P-20, P-25, P-33)."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.ledger import jobs, totals
from elearn_plugin.ledger import services as ledger
from elearn_plugin.ledger.models import CreditTotal, CreditTotalsBuild
from elearn_plugin.ledger.services import LedgerEntrySpec
from elearn_plugin.rules.periods import PERIOD_MONTHS, period_from_label, period_of

SHANGHAI = "Asia/Shanghai"
TZ = ZoneInfo(SHANGHAI)
# 2026-12-31 20:00 in Shanghai is 12:00 UTC: in 2026 there, in 2026 in UTC too;
# 2026-12-31 17:00 UTC is 2027-01-01 01:00 in Shanghai: next year in the policy's zone.
LAST_EVENING = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
NEW_YEAR_THERE = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def _credit(user, key, amount, when, kind=ledger.CREDIT):
    return LedgerEntrySpec(user.pk, kind, Decimal(amount), key, when)


def _rows() -> dict[tuple[str, int], tuple[int, datetime]]:
    return {
        (row.period, row.user_id): (row.cents, row.last_at) for row in CreditTotal.objects.all()
    }


def _ledger_sums(labels) -> dict[tuple[str, int], int]:
    """The same figures from the ledger's own GROUP BY, period by period."""
    sums = {}
    for label in labels:
        period = period_from_label(label, TZ)
        for user_id, total in ledger.totals(
            ledger.CREDIT, period.start_utc, period.end_utc
        ).items():
            sums[(label, user_id)] = int(total * 100)
    return sums


@pytest.fixture
def built(db):
    return totals.build(SHANGHAI)


def test_writer_keeps_each_period_total_equal_to_the_ledger(built, make_user):
    # P-20, P-25: every credit entry moves its month, quarter, half-year and year in the zone
    a, b = make_user(), make_user()
    ledger.add_entries_bulk(
        [
            _credit(a, "c1", "1.25", MARCH),
            _credit(a, "c2", "2.50", LAST_EVENING),
            _credit(a, "c3", "3.00", NEW_YEAR_THERE),
            _credit(b, "c1", "0.05", MARCH),
            _credit(b, "fix", "-1.00", LAST_EVENING),  # a correction
            _credit(b, "p1", "50", MARCH, kind=ledger.POINTS),  # points are not credits
        ]
    )
    rows = _rows()
    labels = {label for label, _user in rows}
    assert labels == {"2026-03", "2026-Q1", "2026-H1", "2026", "2026-12", "2026-Q4", "2026-H2"} | {
        "2027-01",
        "2027-Q1",
        "2027-H1",
        "2027",
    }
    assert {key: cents for key, (cents, _l) in rows.items()} == _ledger_sums(labels)
    assert rows[("2026", a.pk)] == (375, LAST_EVENING)
    assert rows[("2027", a.pk)] == (300, NEW_YEAR_THERE)
    assert rows[("2026", b.pk)][0] == -95


def test_a_replayed_entry_moves_no_total_twice(built, make_user):
    # P-33: the ledger's key decides; a second add of the same source adds nothing anywhere
    user = make_user()
    assert ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2"), "completion:x", MARCH)
    assert not ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2"), "completion:x", MARCH)
    assert {cents for cents, _l in _rows().values()} == {200}
    assert len(_rows()) == len(PERIOD_MONTHS)


def test_totals_roll_back_with_their_entry(built, make_user):
    # P-33: an entry and its totals commit together or not at all
    user = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2"), "completion:x", MARCH)
        raise RuntimeError("the caller fails after writing")
    assert not CreditTotal.objects.exists()


def test_a_build_gives_the_rows_the_writer_kept(built, make_user):
    # P-25: increments and the set-based rebuild agree to the cent and the instant
    users = [make_user() for _ in range(3)]
    specs = [
        _credit(
            u, f"k{n}", f"{(n % 7) * 0.35 + 0.05:.2f}", datetime(2026, n % 12 + 1, 3, tzinfo=UTC)
        )
        for n, u in enumerate(users * 9)
    ]
    specs.append(_credit(users[0], "late", "1.00", NEW_YEAR_THERE))
    ledger.add_entries_bulk(specs)
    kept = _rows()
    assert totals.build(SHANGHAI) == len(kept)
    assert _rows() == kept


def test_without_a_build_nothing_is_kept_and_rankings_group_the_ledger(db, make_user):
    # P-25: before the first build the writer adds no totals; a ranking cannot use them
    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("2"), "k", MARCH)
    assert not CreditTotal.objects.exists()
    year = period_from_label("2026", TZ)
    assert not totals.usable_for(year, year.start_utc)
    totals.build(SHANGHAI)
    assert totals.usable_for(year, year.start_utc)
    assert _rows()[("2026", user.pk)][0] == 200


def test_totals_of_another_zone_or_a_later_start_are_not_used(built):
    # P-25: a period of another calendar, or one the policy began inside, groups the ledger
    year = period_from_label("2026", TZ)
    assert totals.usable_for(year, year.start_utc)
    assert not totals.usable_for(year, period_from_label("2026-07", TZ).start_utc)
    utc_year = period_of("year", MARCH, ZoneInfo("UTC"))
    assert not totals.usable_for(utc_year, utc_year.start_utc)


def test_the_tick_builds_in_the_policys_zone_once(db, make_user, settings):
    # P-33: a repeated tick rebuilds nothing; a changed zone is rebuilt by the next tick
    from elearn_plugin.policy.runtime import get_policy

    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1.5"), "k", MARCH)
    zone = totals.zone_name(get_policy().tz)
    first = jobs.build_credit_totals(MARCH)
    assert first == {"built": True, "zone": zone, "rows": len(PERIOD_MONTHS)}
    assert jobs.build_credit_totals(MARCH) == {"built": False, "zone": zone}
    totals.build("UTC")
    assert jobs.build_credit_totals(MARCH)["built"] is True
    assert totals.built_zone() == zone


def test_a_build_is_audited_with_its_actor(db, make_user):
    # P-33: the rebuild is a change like any other
    hr = make_user()
    totals.build("UTC", actor=hr)
    totals.build(SHANGHAI, actor=hr)
    events = AuditEvent.objects.filter(verb="ledger.totals_built").order_by("id")
    assert [(e.actor_user_id, e.data["zone_key"], e.data["previous_key"]) for e in events] == [
        (hr.pk, "UTC", ""),
        (hr.pk, SHANGHAI, "UTC"),
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", None])
def test_an_unknown_zone_builds_nothing(built, make_user, zone):
    # bad input gets a clear error and changes nothing
    user = make_user()
    ledger.add_entry(user.pk, ledger.CREDIT, Decimal("1"), "k", MARCH)
    before = _rows()
    with pytest.raises(totals.TotalsError, match="unknown time zone"):
        totals.build(zone)
    assert _rows() == before
    assert CreditTotalsBuild.objects.get().zone == SHANGHAI


def test_top_reads_most_credits_first_a_page_at_a_time(built, make_user):
    # P-25: equal totals in user id order; paging loses and repeats nobody
    users = [make_user() for _ in range(5)]
    amounts = ["3", "1", "3", "0.50", "2"]
    ledger.add_entries_bulk(
        [_credit(u, "k", amount, MARCH) for u, amount in zip(users, amounts, strict=True)]
        + [_credit(users[3], "fix", "-0.50", MARCH)]  # back to zero: not listed
    )
    got = list(totals.top("2026-Q1", page=2))
    assert [(user_id, credits) for user_id, credits, _last in got] == [
        (users[0].pk, Decimal("3.00")),
        (users[2].pk, Decimal("3.00")),
        (users[4].pk, Decimal("2.00")),
        (users[1].pk, Decimal("1.00")),
    ]
    assert {last for _u, _c, last in got} == {MARCH}


def test_the_health_report_names_totals_not_yet_built(db):
    # P-33: an operator sees why rankings group the ledger until the tick has built them
    from elearn_plugin.policy.runtime import get_policy
    from elearn_plugin.tick.services import health

    assert "credit_totals_not_built" in health()["problems"]
    totals.build(totals.zone_name(get_policy().tz))
    assert "credit_totals_not_built" not in health()["problems"]
    totals.build("UTC" if totals.built_zone() != "UTC" else SHANGHAI)
    assert "credit_totals_not_built" in health()["problems"]
