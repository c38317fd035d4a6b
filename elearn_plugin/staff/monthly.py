"""The monthly unit report (P-28): once a month closes, each training contact is mailed their
units' progress with a link to the XLSX, and HR the organisation's summary.

The hook runs in the closing transaction (`month_close.registry`), so the mails commit with
the close or not at all, and each is keyed by recipient and month: a re-run sends nothing
twice. The figures come from one grouped query over the month's standings; the mail holds
counts and unit names only, and the learners' rows are in the download, which checks the
reader's role and scope when it is opened (edx-ace mail carries no attachments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from elearn_plugin.audit import services as audit
from elearn_plugin.hours.report import COLUMNS as HOURS_COLUMNS
from elearn_plugin.hours.report import hours_report
from elearn_plugin.month_close.models import Standing
from elearn_plugin.month_close.registry import on_month_closed
from elearn_plugin.month_close.report import COLUMNS as STANDING_COLUMNS
from elearn_plugin.month_close.report import stored_rows
from elearn_plugin.org.models import TrainingContact, Unit
from elearn_plugin.outbox.services import OutboxRow, enqueue_bulk
from elearn_plugin.permissions.roles import hr_user_ids
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.rules.periods import month_of, next_month, period_from_label

MAX_UNIT_NAMES = 3


def site_url(path: str) -> str:
    """An absolute link for mail: the host's `LMS_ROOT_URL` (the platform always sets it)."""
    return getattr(settings, "LMS_ROOT_URL", "").rstrip("/") + path


def report_link(period: str) -> str:
    return site_url(reverse("elearn:staff-unit-report", kwargs={"period": period}))


def _counts_by_unit(period: str) -> dict[int, tuple[int, int]]:
    """`{unit id: (learners, behind)}`: behind = quota not met or a task missed."""
    behind = Q(quota_met=False) | Q(missed_tasks__gt=0)
    rows = (
        Standing.objects.filter(period=period)
        .values("unit_id")
        .annotate(n=Count("pk"), behind=Count("pk", filter=behind))
        .values_list("unit_id", "n", "behind")
        .order_by()
    )
    return {unit_id: (n, late) for unit_id, n, late in rows if unit_id is not None}


def _subtrees(unit_ids: Iterable[int], paths: dict[int, str]) -> dict[int, set[int]]:
    """Each given unit and every unit below it, from the paths held in memory."""
    wanted = set(unit_ids)
    result: dict[int, set[int]] = {uid: set() for uid in wanted}
    for unit_id, path in paths.items():
        for root in wanted:
            if path.startswith(paths.get(root, "\0")):
                result[root].add(unit_id)
    return result


def contact_rows(period: str) -> list[OutboxRow]:
    """One message per training contact: the learners of the units they cover."""
    counts = _counts_by_unit(period)
    units = {pk: (path, name) for pk, path, name in Unit.objects.values_list("pk", "path", "name")}
    covered: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in TrainingContact.objects.values_list("user_id", "unit_id"):
        covered[user_id].add(unit_id)
    roots = {u for ids in covered.values() for u in ids}
    below = _subtrees(roots, {pk: path for pk, (path, _n) in units.items()})
    link = report_link(period)
    rows = []
    for user_id, direct in sorted(covered.items()):
        reach = set().union(*(below.get(u, set()) for u in direct))
        learners = sum(counts.get(u, (0, 0))[0] for u in reach)
        late = sum(counts.get(u, (0, 0))[1] for u in reach)
        names = sorted(units[u][1] for u in direct if u in units)
        label = "、".join(names[:MAX_UNIT_NAMES]) + ("…" if len(names) > MAX_UNIT_NAMES else "")
        rows.append(
            OutboxRow(
                key=f"monthly_progress:{user_id}:{period}",
                message_type="monthly_progress",
                user_id=user_id,
                context={
                    "period": period,
                    "unit": label,
                    "learners": learners,
                    "behind": late,
                    "link": link,
                },
            )
        )
    return rows


def hr_rows(close) -> list[OutboxRow]:
    """One summary per HR account, from the figures the close recorded."""
    at_quota = Standing.objects.filter(period=close.period, quota_met=True).count()
    link = site_url(reverse("elearn:staff-dashboard")) + f"?period={close.period}"
    return [
        OutboxRow(
            key=f"monthly_summary:{user_id}:{close.period}",
            message_type="monthly_summary",
            user_id=user_id,
            context={
                "period": close.period,
                "learners": close.learners,
                "at_quota": at_quota,
                "warnings": close.warnings,
                "suspensions": close.suspensions,
                "link": link,
            },
        )
        for user_id in sorted(hr_user_ids())
    ]


def is_latest_month(period_label: str, now: datetime | None = None) -> bool:
    """Whether `period_label` is the month that ended last: a catch-up that closes a year
    of months at once (a late install) mails the latest report only, not twelve."""
    policy = get_policy()
    period = period_from_label(period_label, policy.tz)
    return next_month(period, policy.tz).label == month_of(now or timezone.now(), policy.tz).label


@on_month_closed
def send_monthly_reports(close) -> None:
    """Queue the contacts' reports and HR's summary of the month just closed."""
    if not is_latest_month(close.period):
        return
    rows = contact_rows(close.period) + hr_rows(close)
    created = enqueue_bulk(rows)
    audit.record(
        None,
        "unit_report.sent",
        audit.target_of(close),
        {"period_code": close.period, "count": created},
    )


REPORT_COLUMNS = STANDING_COLUMNS


def report_sheets(period_label: str, units: set[int] | None, unit_code: str | None) -> list:
    """The workbook of one closed month for `units` (None: the organisation)."""
    policy = get_policy()
    period = period_from_label(period_label, policy.tz)
    standing = stored_rows(period, units)
    hours = hours_report(period, policy, unit_code=unit_code)["rows"]
    if units is not None and unit_code is None:
        codes = set(Unit.objects.filter(pk__in=units).values_list("code", flat=True))
        hours = [row for row in hours if row["unit"] in codes]
    return [("Standing", REPORT_COLUMNS, standing), ("Hours", HOURS_COLUMNS, hours)]
