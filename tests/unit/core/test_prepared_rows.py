"""`core.upsert.insert_prepared_rows`: numbers and NULL written as numerals, everything else a
parameter, and the rows read back as they were given (P-33)."""

from django.db import connection
from django.utils import timezone

from elearn_plugin.core.upsert import _values_sql, insert_prepared_rows
from elearn_plugin.month_close.chunks import _STANDING_FIELDS
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing

NASTY = 'x\'); DROP TABLE t; -- %s \\ "q"'


def test_values_sql_inlines_numbers_and_null_only():
    sql, params = _values_sql([[1, None, True, "a%s", 2.5], [-7, 0, False, NASTY, None]])
    assert sql == "(1, NULL, %s, %s, %s), (-7, 0, %s, %s, NULL)"
    assert params == [True, "a%s", 2.5, False, NASTY]


def insert_and_read_back(make_user) -> None:
    """The check itself, shared with the MariaDB suite (tests/integration)."""
    users = [make_user(), make_user()]
    now = timezone.now()
    close = MonthClose.objects.create(
        period="2026-03", status=CloseStatus.JUDGING, policy_hash="h", decided_at=now
    )
    names = _STANDING_FIELDS  # the columns the month close writes, in its order
    fields = [Standing._meta.get_field(n) for n in names]
    by = dict(zip(names, fields, strict=True))

    def prep(name, value):
        return by[name].get_db_prep_save(value, connection)

    rows = [
        [close.pk, "2026-03", users[0].pk, None, 0, None, None, 3, 1,
         prep("consequences", ["quota_warning"]), NASTY,
         prep("evidence", {"note": NASTY}), prep("judged_at", now)],
        [close.pk, "2026-03", users[1].pk, None, 2, 2, True, 0, 0,
         prep("consequences", []), "", prep("evidence", {}), prep("judged_at", now)],
    ]  # fmt: skip
    assert insert_prepared_rows(Standing, fields, rows) == 2
    got = {s.user_id: s for s in Standing.objects.filter(close=close)}
    first, second = got[users[0].pk], got[users[1].pk]
    assert (first.unit_id, first.quota, first.quota_met, first.missed_tasks) == (
        None,
        None,
        None,
        3,
    )
    assert (first.consequences, first.exempt, first.evidence) == (
        ["quota_warning"],
        NASTY,
        {"note": NASTY},
    )
    assert (second.quota, second.quota_met, second.required_completed) == (2, True, 2)
    assert first.judged_at == now
    assert connection.introspection.table_names()  # nothing was dropped


def test_prepared_rows_are_stored_as_given(make_user):  # P-33
    insert_and_read_back(make_user)
