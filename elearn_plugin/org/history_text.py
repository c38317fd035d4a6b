"""The messages of `org.history`'s conflicts: what HR gave, against what is recorded.

HR fixes its file from these, so each names the employee id, the date given, and the unit
and time of the recorded stay it collides with; never a name or an e-mail address (P-32).
Times are shown in the policy's zone, as dates when they fall at midnight there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from elearn_plugin.org import timeline

if TYPE_CHECKING:
    from elearn_plugin.org.history import HistoryEntry

# The record of the caller's input each kind of source points at.
PARTS = {
    timeline.HIRED: "hired",
    timeline.JOINED: "hired",  # no hire date was given: giving one is the fix
    timeline.RECORDED: "hired",
    timeline.LEFT: "left",
    timeline.UNIT: "unit",
    timeline.TRANSFER: "transfer",
}


def shown(moment: datetime | None, tz: ZoneInfo) -> str:
    """A recorded time as HR reads it: the local date, with the time unless it is midnight."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    if local.time() == time.min:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%d %H:%M")


def _given_day(entry: HistoryEntry, part: timeline.Source) -> date | None:
    if part.kind == timeline.TRANSFER and part.index is not None:
        return entry.transfers[part.index].on
    if part.kind == timeline.LEFT:
        return entry.left_on
    return entry.hired_on


def describe(
    entry: HistoryEntry,
    person: dict,
    conflict: timeline.Conflict,
    codes: dict[int, str],
    tz: ZoneInfo,
) -> str:
    """The message for one learner's conflict."""
    given = _given_day(entry, conflict.part)
    params = {
        "id": person["employee_id"],
        "day": given.isoformat() if given else "",
        "unit": codes.get(conflict.unit_id, ""),
        "recorded": codes.get(conflict.recorded_unit_id, ""),
        "at": shown(conflict.at, tz),
    }
    kind, reason = conflict.part.kind, conflict.reason
    if reason == "units" and kind == timeline.UNIT:
        text = _(
            'employee %(id)s: joined unit "%(unit)s", but their recorded history starts in '
            'unit "%(recorded)s" (%(at)s).'
        )
    elif reason == "units":
        text = _(
            'employee %(id)s: the transfer on %(day)s is to unit "%(unit)s", but their '
            'recorded history has unit "%(recorded)s" there (from %(at)s).'
        )
    elif reason == "before_recorded" and kind == timeline.TRANSFER:
        text = _(
            "employee %(id)s: the transfer on %(day)s is not before their move to unit "
            '"%(unit)s" recorded on %(at)s.'
        )
    elif reason in ("before_recorded", "hired_after") and kind == timeline.HIRED:
        text = _(
            'employee %(id)s: hired %(day)s is not before their move to unit "%(unit)s" on %(at)s.'
        )
    elif reason == "not_after":
        text = _(
            "employee %(id)s: the transfer on %(day)s is not after their stay in unit "
            '"%(unit)s" began (%(at)s); give the date they were hired.'
        )
    elif reason == "left_before":
        text = _('employee %(id)s: left %(day)s is before their move to unit "%(unit)s" on %(at)s.')
    elif reason == "left_before_joined":
        text = _('employee %(id)s: left %(day)s is before they joined unit "%(unit)s" (%(at)s).')
    elif reason == "after_left" and kind == timeline.TRANSFER:
        left = person.get("left_on")
        params["at"] = left.isoformat() if left else shown(conflict.at - timedelta(days=1), tz)
        text = _("employee %(id)s: the transfer on %(day)s is after they left (%(at)s).")
    else:
        text = _("employee %(id)s: the recorded unit history is out of order at %(at)s.")
    return text % params
