"""The training contact's pages (P-1, P-28, P-31): their units, each unit's month, reminders,
the exports and the monthly report download.

Every view asks `permissions` for the unit as its target, so a contact reaches their units
and the units below them and nothing else; HR reaches every unit. The rows are computed
server-side (`unit_rows`); the page shows at most `PAGE_ROWS` of them at a time, the
exports stream every row.
"""

from __future__ import annotations

from io import BytesIO

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from elearn_plugin.month_close.models import CloseStatus, MonthClose
from elearn_plugin.org.models import Unit
from elearn_plugin.org.queries import people_named, subtree_unit_ids
from elearn_plugin.permissions import ANY, Action, UnitTarget, check, elearn_required, reach_of
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.reports.output import write_xlsx
from elearn_plugin.rules.periods import month_of, period_from_label
from elearn_plugin.staff import monthly
from elearn_plugin.staff.exports import FORMATS, XLSX_TYPE, table_response
from elearn_plugin.staff.services import RemindError, remind
from elearn_plugin.staff.unit_rows import (
    COLUMNS,
    Scope,
    iter_rows,
    last_closed_month,
    needs_reminder,
    summary,
)

PAGE_ROWS = 200
FILTERS = ("all", "behind", "behind_last_month", "blocked", "transferred")
MAX_SEARCH = 64
CHOICES = 20
MAX_CHOICES = 500  # learners offered by name in the slot form


def _unit_target(request, code: str, *args, **kwargs) -> UnitTarget:
    unit_id = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
    # An unknown code is a unit nobody covers: a contact gets 403 whether it exists or not.
    return UnitTarget(unit_id or 0)


def _unit_or_404(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(_("No unit has this code."))
    return unit


def column_labels() -> list[str]:
    """The exports' header cells, in the reader's language."""
    return [
        _("Employee ID"),
        _("Name"),
        _("Username"),
        _("Unit"),
        _("Unit name"),
        _("Required courses done"),
        _("Quota"),
        _("Open tasks"),
        _("Overdue tasks"),
        _("Standing"),
        _("Standing ends"),
        _("Hours this month"),
        _("Last activity"),
        _("Pace"),
        _("Transferred from"),
        _("Transferred on"),
        _("Last closed month"),
        _("Required done then"),
        _("Tasks missed then"),
        _("Behind then"),
    ]


def pace_labels() -> dict[str, str]:
    return {
        "behind": _("Behind"),
        "on_pace": _("On pace"),
        "at_quota": _("Quota met"),
        "blocked": _("Cannot study"),
    }


def standing_labels() -> dict[str, str]:
    return {
        "": _("Good"),
        "suspension": _("Suspended"),
        "revocation": _("Revoked"),
        "freeze": _("Frozen"),
    }


def _labelled(rows: list[dict]) -> list[dict]:
    paces, standings = pace_labels(), standing_labels()
    return [
        {
            **row,
            "pace_label": paces[row["pace"]],
            "standing_label": standings[row["standing"]],
            "remindable": needs_reminder(row),
        }
        for row in rows
    ]


def _wanted(row: dict, kind: str) -> bool:
    if kind == "behind":
        return row["pace"] == "behind"
    if kind == "behind_last_month":
        return row["behind_last_month"]
    if kind == "blocked":
        return row["pace"] == "blocked"
    if kind == "transferred":
        return bool(row["transferred_from"])
    return True


@never_cache
@require_GET
@elearn_required(Action.VIEW_UNIT_RECORDS, ANY)
def units_page(request: HttpRequest) -> HttpResponse:
    """The units the reader covers; a contact of one unit goes straight to it."""
    reach = reach_of(request.user)
    units = Unit.objects.order_by("path")
    if reach is not None:
        # The units the contact is named for; each page includes the units below it.
        units = units.filter(contacts__user_id=request.user.pk).distinct()
    units = list(units.values("code", "name", "depth"))
    if reach is not None and len(units) == 1:
        return redirect("elearn:staff-unit", code=units[0]["code"])
    return render(request, "elearn_plugin/staff/units.html", {"units": units})


def _asked(request: HttpRequest, unit: Unit) -> tuple[str, str, Scope]:
    """The page's filter and search (unknown filters show everyone), and whose rows."""
    kind = request.GET.get("show", "all")
    kind = kind if kind in FILTERS else "all"
    search = request.GET.get("q", "").strip()[:MAX_SEARCH]
    return kind, search, Scope(frozenset(subtree_unit_ids([unit.pk])), search)


def _unit_context(request: HttpRequest, unit: Unit) -> dict:
    policy = get_policy()
    now = timezone.now()
    month = month_of(now, policy.tz)
    kind, search, scope = _asked(request, unit)
    rows = list(iter_rows(scope, policy, month, now))
    shown = [row for row in rows if _wanted(row, kind)]
    closes = list(
        MonthClose.objects.filter(status=CloseStatus.CLOSED)
        .order_by("-period")
        .values_list("period", flat=True)[:12]
    )
    return {
        "unit": unit,
        "month": month,
        "counts": summary(rows),
        "rows": _labelled(shown[:PAGE_ROWS]),
        "more": max(0, len(shown) - PAGE_ROWS),
        "behind_ids": [row["user_id"] for row in rows if needs_reminder(row)],
        "last_month": last_closed_month(),
        "several_units": len(scope.unit_ids) > 1,
        "transferred": _labelled([row for row in rows if row["transferred_from"]][:PAGE_ROWS]),
        "learners": sorted(
            ((row["user_id"], row["name"], row["employee_id"]) for row in rows),
            key=lambda item: (item[1], item[2]),
        )[:MAX_CHOICES],
        "show": kind,
        "filters": FILTERS,
        "q": search,
        "reports": closes,
        "may_remind": check(request.user, Action.REMIND_LEARNER, UnitTarget(unit.pk)),
        "may_grant": check(request.user, Action.GRANT_LEARNING_SLOT, UnitTarget(unit.pk)),
        "reminded": request.GET.get("reminded", ""),
        "remind_error": request.GET.get("remind_error", ""),
        "export_query": urlencode({"show": kind, "q": search}),
    }


@never_cache
@require_GET
@elearn_required(Action.VIEW_UNIT_RECORDS, _unit_target)
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    """One unit's month: who is behind, reminders, slots, transfers, reports."""
    unit = _unit_or_404(code)
    return render(request, "elearn_plugin/staff/unit.html", _unit_context(request, unit))


@never_cache
@require_GET
@elearn_required(Action.VIEW_UNIT_RECORDS, _unit_target)
def unit_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The unit's rows as CSV or XLSX, streamed; the page's filter and search apply."""
    unit = _unit_or_404(code)
    if fmt not in FORMATS:
        return HttpResponse(_("Choose CSV or XLSX."), status=400, content_type="text/plain")
    policy = get_policy()
    now = timezone.now()
    month = month_of(now, policy.tz)
    kind, _search, scope = _asked(request, unit)
    rows = (row for row in iter_rows(scope, policy, month, now) if _wanted(row, kind))
    return table_response(
        fmt, f"{unit.code}-{month.label}", COLUMNS, column_labels(), rows, sheet=month.label
    )


@require_POST
@elearn_required(Action.REMIND_LEARNER, _unit_target)
def remind_view(request: HttpRequest, code: str) -> HttpResponse:
    """POST `user_id` (one or more) or `all_behind`: remind them, then back to the page."""
    unit = _unit_or_404(code)
    if request.POST.get("all_behind"):
        policy = get_policy()
        now = timezone.now()
        scope = Scope(frozenset(subtree_unit_ids([unit.pk])))
        ids = [
            row["user_id"]
            for row in iter_rows(scope, policy, month_of(now, policy.tz), now)
            if needs_reminder(row)
        ]
    else:
        ids = [value for value in request.POST.getlist("user_id") if value.isdigit()]
    page = reverse("elearn:staff-unit", kwargs={"code": unit.code})
    try:
        count = remind(request.user, ids)
    except RemindError as exc:
        return redirect(f"{page}?{urlencode({'remind_error': exc.code})}")
    return redirect(f"{page}?{urlencode({'reminded': count})}")


@never_cache
@require_GET
@elearn_required(Action.VIEW_UNIT_RECORDS, ANY)
def monthly_report_download(request: HttpRequest, period: str) -> HttpResponse:
    """The XLSX of a closed month for the reader's units (HR: the organisation's), or for
    `?unit=CODE` within them; the link in the monthly mail points here."""
    policy = get_policy()
    try:
        label = period_from_label(period, policy.tz).label
    except ValueError:
        raise Http404(_("No such month."))
    if not MonthClose.objects.filter(period=label, status=CloseStatus.CLOSED).exists():
        raise Http404(_("This month is not closed yet."))
    reach = reach_of(request.user)
    code = request.GET.get("unit") or None
    units = reach
    if code is not None:
        unit_id = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
        if unit_id is None or (reach is not None and unit_id not in reach):
            raise Http404(_("No unit has this code."))
        units = subtree_unit_ids([unit_id])
    book = BytesIO()
    write_xlsx(monthly.report_sheets(label, units, code), book)
    response = HttpResponse(book.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="unit-report-{label}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
@elearn_required(Action.GRANT_LEARNING_SLOT, ANY)
def learner_choices(request: HttpRequest) -> JsonResponse:
    """GET `q`: up to 20 of the reader's learners whose name or employee id matches, for
    picking a learner by name (the slot form); never anyone outside the reader's units."""
    query = request.GET.get("q", "").strip()[:MAX_SEARCH]
    if len(query) < 1:
        return JsonResponse({"results": []})
    found = people_named(query, reach_of(request.user), CHOICES)
    results = [{"id": uid, "label": f"{name} ({employee_id})"} for uid, name, employee_id in found]
    return JsonResponse({"results": results})
