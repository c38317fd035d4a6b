"""HR's compliance dashboard (`/elearn/hr/`) and the downloads of its tables (P-21..P-25,
P-31, P-32).

HR only (`VIEW_ALL_RECORDS`): the page names learners in the rankings and every unit's
figures. `?period=YYYY-MM` picks the month (the current one in the policy's zone by
default), `?unit=CODE` narrows it to a unit's subtree; the exports take the same query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from elearn_plugin.org.models import Unit
from elearn_plugin.permissions import Action, elearn_required
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.staff import charts, dashboard
from elearn_plugin.staff.exports import FORMATS, table_response

TEMPLATE = "elearn_plugin/staff/dashboard.html"
SANCTION_COLUMNS = (
    "overdue",
    "warning_month",
    "suspension_active",
    "suspension_month",
    "revocation_active",
    "revocation_month",
)


def _admin(model: str, query: str = "") -> str | None:
    """The admin page of a model where HR acts, or None where the site mounts no admin."""
    try:
        url = reverse(f"admin:elearn_plugin_{model}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _unit_label(row: dict) -> str:
    return row.get("unit_name") or row.get("unit") or "—"


def _compliance(period, policy, scope, now) -> tuple[list, list, list]:
    columns = ["unit", "unit_name", "learners", "met", "behind", "share"]
    labels = [
        _("Unit code"),
        _("Unit"),
        _("Learners"),
        _("At quota"),
        _("Behind"),
        _("At quota (%)"),
    ]
    units = dashboard.unit_rows(period, policy, scope, now)
    total = {**units["total"], "unit": "", "unit_name": _("Total")}
    return columns, labels, [*units["rows"], total]


def _sanctions(period, policy, scope, now) -> tuple[list, list, list]:
    columns = ["unit", "unit_name", *SANCTION_COLUMNS]
    labels = [
        _("Unit code"),
        _("Unit"),
        _("Overdue tasks"),
        _("Warnings this month"),
        _("Suspensions in force"),
        _("Suspensions this month"),
        _("Revocations in force"),
        _("Revocations this month"),
    ]
    units = dashboard.unit_rows(period, policy, scope, now)
    total = {**units["total"], "unit": "", "unit_name": _("Total")}
    return columns, labels, [*units["rows"], total]


def _hours(period, policy, scope, now) -> tuple[list, list, list]:
    columns = [
        "unit",
        "unit_name",
        "online_hours",
        "counted_online_hours",
        "excess_hours",
        "offline_hours",
        "cap_hours",
        "cap",
    ]
    labels = [
        _("Unit code"),
        _("Unit"),
        _("Online hours"),
        _("Counted online hours"),
        _("Online hours above the cap"),
        _("Classroom hours"),
        _("Cap (hours)"),
        _("Cap (share of all hours)"),
    ]
    return columns, labels, dashboard.hours_rows(period, policy, scope)


def _rankings(period, policy, scope, now) -> tuple[list, list, list]:
    columns = ["kind", "period", "rank", "name", "unit__code", "unit__name", "credits"]
    labels = [
        _("Ranking"),
        _("Period"),
        _("Rank"),
        _("Name"),
        _("Unit code"),
        _("Unit"),
        _("Credits"),
    ]
    rows = [
        {**entry, "kind": ranking["kind_label"], "period": ranking["period"]}
        for ranking in dashboard.latest_rankings(scope)
        for entry in ranking["entries"]
    ]
    return columns, labels, rows


TABLES: dict[str, Callable] = {
    "compliance": _compliance,
    "sanctions": _sanctions,
    "hours": _hours,
    "rankings": _rankings,
}


def _resolve(request: HttpRequest):
    policy, now = get_policy(), timezone.now()
    scope = dashboard.resolve_scope(request.GET.get("unit"))
    period = dashboard.resolve_period(request.GET.get("period"), policy, now)
    return policy, now, scope, period


@never_cache
@require_GET
@elearn_required(Action.VIEW_ALL_RECORDS)
def dashboard_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One table of the page as CSV or XLSX, for the same month and scope."""
    if table not in TABLES:
        raise Http404(_("The dashboard has no such table."))
    if fmt not in FORMATS:
        return HttpResponseBadRequest(
            _("Unknown download format: choose csv or xlsx."),
            content_type="text/plain; charset=utf-8",
        )
    try:
        policy, now, scope, period = _resolve(request)
    except dashboard.DashboardError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    columns, labels, rows = TABLES[table](period, policy, scope, now)
    stem = f"hr-{table}-{period.label}-{scope.code or 'all'}"
    return table_response(fmt, stem, columns, labels, rows, sheet=table)


def _cards(data: dict, links: dict) -> list[dict]:
    """The headline figures; `action` marks a figure that waits for HR."""
    total, waiting, health = data["total"], data["queues"], data["health"]
    share = total["share"]
    so_far = _("so far this month") if data["state"] == "open" else _("month judged")
    held = waiting["held_closes"]
    cards = [
        (_("Learners at quota"), "—" if share is None else f"{share}%",
         _("%(met)s of %(learners)s, %(when)s")
         % {"met": total["met"], "learners": total["learners"], "when": so_far}, None, False),
        (_("Overdue tasks"), total["overdue"], "", links["assignments"], total["overdue"] > 0),
        (_("Warnings this month"), total["warning_month"], "", links["warnings"], False),
        (_("Suspensions in force"), total["suspension_active"],
         _("%(n)s this month") % {"n": total["suspension_month"]}, links["suspensions"], False),
        (_("Revocations in force"), total["revocation_active"],
         _("%(n)s this month") % {"n": total["revocation_month"]}, links["revocations"], False),
        (_("Reinstatement applications"), waiting["reinstatements"], _("waiting for HR"),
         links["reinstatements"], waiting["reinstatements"] > 0),
        (_("Account sharing flags"), waiting["sharing_flags"], _("waiting for HR"),
         links["sharing"], waiting["sharing_flags"] > 0),
        (_("Held month closes"), len(held), ", ".join(held), links["closes"], bool(held)),
        (_("Held roster syncs"), waiting["held_syncs"], "", links["syncs"],
         waiting["held_syncs"] > 0),
        (_("Review queue"), waiting["review_queue"], _("submitted, waiting for a decision"),
         links["review"], waiting["review_queue"] > 0),
        (_("Requests and feedback"), waiting["feedback_open"],
         _("%(n)s late") % {"n": waiting["feedback_late"]}, links["feedback"],
         waiting["feedback_late"] > 0),
        (_("Units without a training contact"), len(data["uncovered"]),
         ", ".join(name for _code, name in data["uncovered"][:3]), links["contacts"],
         bool(data["uncovered"])),
        (_("System health"), _("OK") if health["healthy"] else
         _("%(n)s problems") % {"n": len(health["problems"])},
         ", ".join(health["problems"][:3]), links["health"], not health["healthy"]),
    ]  # fmt: skip
    return [
        {"label": label, "value": value, "note": note, "link": link, "action": action}
        for label, value, note, link, action in cards
    ]


def _chart_text() -> dict:
    return {
        "quota": {
            "title": _("Learners at quota, last 12 months"),
            "xlabel": _("Month"),
            "ylabel": _("Learners at quota (%)"),
            "closed": _("Judged month"),
            "open": _("Open month, so far"),
            "no_data": _("not judged"),
        },
        "hours": {
            "title": _("Online hours against the cap, per unit"),
            "xlabel": _("Hours this month"),
            "ylabel": _("Unit"),
            "counted": _("Online hours counted"),
            "excess": _("Above the cap, not counted"),
            "cap": _("Cap"),
            "value": _("{online} h ({counted} counted)"),
        },
    }


@never_cache
@require_GET
@elearn_required(Action.VIEW_ALL_RECORDS)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The month's figures per unit and for the organisation, charts, tables and links."""
    units = list(Unit.objects.order_by("path").values_list("code", "name", "depth"))
    context = {"unit_choices": [(c, n, "\u2003" * d) for c, n, d in units], "error": ""}
    context["selected_unit"] = request.GET.get("unit", "")
    context["selected_period"] = request.GET.get("period", "")
    try:
        policy, now, scope, period = _resolve(request)
    except dashboard.DashboardError as exc:
        context["error"] = exc.message
        return render(request, TEMPLATE, context, status=exc.status)
    data = dashboard.figures(period, policy, scope, now)
    context["selected_period"] = period.label
    for row in data["units"]:
        row["url"] = reverse("elearn:staff-unit", args=[row["unit"]])
    links = {
        "assignments": _admin("assignment"),
        "warnings": _admin("sanction", "kind__exact=warning"),
        "suspensions": _admin("sanction", "kind__exact=suspension&lifted_at__isempty=1"),
        "revocations": _admin("sanction", "kind__exact=revocation&lifted_at__isempty=1"),
        "reinstatements": _admin("reinstatementapplication", "status__exact=pending"),
        "sharing": _admin("sharingincident", "status__exact=flagged"),
        "closes": _admin("monthclose", "status__exact=held"),
        "syncs": _admin("rostersync", "status__exact=held"),
        "review": _admin("reviewitem"),
        "feedback": reverse("elearn:feedback-inbox"),
        "contacts": _admin("trainingcontact"),
        "health": reverse("elearn:health"),
    }
    text = _chart_text()
    hours = [
        {
            "label": _unit_label(row),
            "online": row["online_hours"],
            "counted": row["counted_online_hours"],
            "cap": row["cap_hours"],
        }
        for row in data["hours"]
    ]
    query = urlencode({"period": period.label, **({"unit": scope.code} if scope.code else {})})
    exports = {
        table: {
            fmt: f"{reverse('elearn:staff-dashboard-export', args=[table, fmt])}?{query}"
            for fmt in FORMATS
        }
        for table in TABLES
    }
    context.update(
        data=data,
        cards=_cards(data, links),
        links=links,
        exports=exports,
        quota_chart=charts.data_uri(charts.quota_trend_chart(data["trend"], text["quota"])),
        hours_chart=charts.data_uri(charts.hours_chart(hours, text["hours"])),
        chart_text=text,
    )
    return render(request, TEMPLATE, context)
