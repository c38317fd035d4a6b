"""The hours report of one month (`elearn_report hours`, P-24): the stored rows of a closed
month, or the rows the policy gives now while the month is open.

One row per cap-level unit with training time, ordered by unit code, hours with two
decimals and the online share with four; `--unit` keeps the rows of units in its subtree.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from elearn_plugin.hours.models import UnitMonthHours
from elearn_plugin.hours.queries import month_cap_rows
from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.org.models import Unit
from elearn_plugin.org.queries import subtree_unit_ids
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.hours_cap import decimal_share, hours
from elearn_plugin.rules.periods import Period

COLUMNS = (
    "unit",
    "unit_name",
    "online_hours",
    "offline_hours",
    "counted_online_hours",
    "excess_hours",
    "share",
    "cap",
)


class HoursReportError(ValueError):
    """The report asked for something that does not exist (an unknown unit code)."""


def _scope(unit_code: str | None) -> set[int] | None:
    if unit_code is None:
        return None
    unit_id = Unit.objects.filter(code=unit_code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise HoursReportError(_("No unit has the code %(code)s.") % {"code": unit_code})
    return subtree_unit_ids([unit_id])


def _row(unit: tuple[str, str], online: int, offline: int, counted: int, cap, share) -> dict:
    return {
        "unit": unit[0],
        "unit_name": unit[1],
        "online_hours": hours(online),
        "offline_hours": hours(offline),
        "counted_online_hours": hours(counted),
        "excess_hours": hours(online - counted),
        "share": share,
        "cap": cap,
    }


def hours_report(period: Period, policy: Policy, *, unit_code: str | None = None) -> dict:
    """`{"period", "closed", "rows"}` of one month."""
    scope = _scope(unit_code)
    names = {pk: (code, name) for pk, code, name in Unit.objects.values_list("pk", "code", "name")}
    closed = MonthClose.objects.filter(period=period.label, status=CloseStatus.CLOSED).exists()
    stored = list(
        UnitMonthHours.objects.filter(period=period.label).values_list(
            "unit_id", "online_seconds", "offline_seconds", "counted_seconds", "cap_share", "share"
        )
    )
    if closed and stored:
        items = stored
    else:
        items = [
            (
                row.unit_id,
                row.online_seconds,
                row.offline_seconds,
                row.counted_seconds,
                decimal_share(row.cap_share),
                decimal_share(row.share),
            )
            for row in month_cap_rows(period, policy)
        ]
    rows = [
        _row(names.get(unit_id, ("", "")), online, offline, counted, cap, share)
        for unit_id, online, offline, counted, cap, share in items
        if scope is None or unit_id in scope
    ]
    rows.sort(key=lambda row: row["unit"])
    return {"period": period.label, "closed": closed, "rows": rows}
