"""The instructor archive's pages (P-27, P-30, P-31).

- `/elearn/teaching/rate/` — a learner rates the sessions they attended and the courses they
  completed (`RATE_SESSION`, their own);
- `/elearn/teaching/instructors/` and `/elearn/teaching/courses/` — HR's lists, each table
  downloadable as CSV or XLSX (`VIEW_TEACHING`, HR only: the target is None);
- `/elearn/teaching/instructors/<id>/` — one instructor's history, for HR, and for the
  instructor themselves when their account is linked (`VIEW_TEACHING`, scope self).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from elearn_plugin.permissions import Action, elearn_required
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.rules.teaching import MAX_COMMENT
from elearn_plugin.staff.exports import FORMATS, table_response
from elearn_plugin.teaching import queries, services, supervision
from elearn_plugin.teaching.models import Instructor

T = "elearn_plugin/teaching/"


def _instructor_columns() -> tuple[list[str], list[str]]:
    return (
        ["name", "sessions", "hours", "rating", "rating_count", "imported_rating"],
        [
            _("Instructor"),
            _("Sessions taught"),
            _("Hours taught"),
            _("Learners' average rating"),
            _("Learners' ratings"),
            _("Imported rating (from the data file)"),
        ],
    )


def _session_columns() -> tuple[list[str], list[str]]:
    return (
        ["date", "kind_label", "title", "hours", "attendees", "completed", "rating",
         "rating_count", "imported_rating"],
        [_("Date"), _("Kind"), _("Topic"), _("Hours"), _("Attendees or learners"),
         _("Completed"), _("Learners' average rating"), _("Learners' ratings"),
         _("Imported rating (from the data file)")],
    )  # fmt: skip


def _month_columns() -> tuple[list[str], list[str]]:
    return ["month", "count", "rating"], [_("Month"), _("Ratings"), _("Average rating")]


def _course_columns() -> tuple[list[str], list[str]]:
    return (
        ["course_key", "title", "learners", "completed", "completion_rate", "median_days",
         "behind", "behind_share", "rating", "rating_count"],
        [_("Course key"), _("Course"), _("Learners"), _("Completed"), _("Completion rate (%)"),
         _("Median days to complete"), _("Behind"), _("Behind (%)"),
         _("Learners' average rating"), _("Learners' ratings")],
    )  # fmt: skip


def _bad_format() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Unknown download format: choose csv or xlsx."), content_type="text/plain; charset=utf-8"
    )


def _exports(name: str, *args) -> dict[str, str]:
    return {fmt: reverse(name, args=[*args, fmt]) for fmt in FORMATS}


@never_cache
@require_GET
@elearn_required(Action.VIEW_TEACHING)
def instructors_page(request: HttpRequest) -> HttpResponse:
    """Every instructor with sessions, hours and ratings, the imported ones apart."""
    rows = queries.instructor_rows()
    for row in rows:
        row["url"] = reverse("elearn:teaching-instructor", args=[row["id"]])
    return render(
        request,
        T + "instructors.html",
        {"rows": rows, "exports": _exports("elearn:teaching-instructors-export")},
    )


@never_cache
@require_GET
@elearn_required(Action.VIEW_TEACHING)
def instructors_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        return _bad_format()
    columns, labels = _instructor_columns()
    return table_response(
        fmt, "instructors", columns, labels, queries.instructor_rows(), sheet="instructors"
    )


def _instructor_user(request, instructor_id: int, *args, **kwargs) -> int | None:
    """The account of the instructor (their own history is theirs to read); None when there
    is none, so only HR passes."""
    return Instructor.objects.filter(pk=instructor_id).values_list("user_id", flat=True).first()


def _instructor(instructor_id: int) -> Instructor:
    instructor = Instructor.objects.filter(pk=instructor_id).first()
    if instructor is None:
        raise Http404(_("There is no such instructor."))
    return instructor


@never_cache
@require_GET
@elearn_required(Action.VIEW_TEACHING, _instructor_user)
def instructor_page(request: HttpRequest, instructor_id: int) -> HttpResponse:
    """One instructor's sessions, with topic, date, duration, attendees and ratings, and the
    learners' ratings per month."""
    context = queries.instructor_history(_instructor(instructor_id), get_policy().tz)
    context["exports"] = {
        table: _exports("elearn:teaching-instructor-export", instructor_id, table)
        for table in ("sessions", "months")
    }
    return render(request, T + "instructor.html", context)


@never_cache
@require_GET
@elearn_required(Action.VIEW_TEACHING, _instructor_user)
def instructor_export(request: HttpRequest, instructor_id: int, table: str, fmt: str):
    if table not in ("sessions", "months"):
        raise Http404(_("The page has no such table."))
    if fmt not in FORMATS:
        return _bad_format()
    instructor = _instructor(instructor_id)
    tz = get_policy().tz
    if table == "sessions":
        columns, labels = _session_columns()
        rows = [
            {**row, "date": timezone.localtime(row["date"], tz).strftime("%Y-%m-%d %H:%M")}
            for row in queries.session_rows(instructor.pk)
        ]
    else:
        columns, labels = _month_columns()
        rows = queries.monthly_ratings(instructor.pk, tz)
    stem = f"instructor-{instructor.pk}-{table}"
    return table_response(fmt, stem, columns, labels, rows, sheet=table)


@never_cache
@require_GET
@elearn_required(Action.VIEW_TEACHING)
def courses_page(request: HttpRequest) -> HttpResponse:
    """Each course's completion rate, median days to complete, share behind and rating."""
    rows = supervision.course_rows(timezone.now(), get_policy().tz)
    return render(
        request,
        T + "courses.html",
        {"rows": rows, "exports": _exports("elearn:teaching-courses-export")},
    )


@never_cache
@require_GET
@elearn_required(Action.VIEW_TEACHING)
def courses_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        return _bad_format()
    columns, labels = _course_columns()
    rows = supervision.course_rows(timezone.now(), get_policy().tz)
    return table_response(fmt, "course-supervision", columns, labels, rows, sheet="courses")


def _rate_context(request, **extra) -> dict:
    return {
        "sessions": queries.rateable(request.user.pk),
        "scores": range(1, 6),
        "max_comment": MAX_COMMENT,
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@elearn_required(Action.RATE_SESSION, lambda request: request.user.pk)
def rate_page(request: HttpRequest) -> HttpResponse:
    """The learner's sessions and courses to rate; a POST rates one (P-30)."""
    if request.method == "GET":
        return render(request, T + "rate.html", _rate_context(request))
    raw = request.POST.get("score", "")
    score = int(raw) if raw.strip().lstrip("-").isdigit() else raw
    try:
        services.rate_session(
            request.user,
            request.POST.get("session", ""),
            score,
            request.POST.get("comment", ""),
        )
    except services.TeachingError as exc:
        context = _rate_context(request, error=exc.message)
        return render(request, T + "rate.html", context, status=exc.status)
    return render(request, T + "rate.html", _rate_context(request, done=True))
