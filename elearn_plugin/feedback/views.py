"""The learner's page of requests, feedback, complaints and open surveys (`/elearn/feedback/`),
and the inbox where HR and course teams answer (`/elearn/feedback/inbox/`) (P-29, P-31).

A learner sees only their own items; HR sees every item; a course team sees the items about
its courses' content and material only, and answers them through the same service.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from elearn_plugin.feedback import services
from elearn_plugin.feedback.forms import AnswerForm, ItemForm
from elearn_plugin.feedback.models import FeedbackItem, ItemAbout, ItemKind, ItemState
from elearn_plugin.feedback.surveys import open_surveys_for
from elearn_plugin.permissions import ANY, Action, check, elearn_required

MINE = "elearn_plugin/feedback/mine.html"
INBOX = "elearn_plugin/feedback/inbox.html"
ITEM = "elearn_plugin/feedback/item.html"
LISTED = 100


def _own(request, *args, **kwargs):
    return request.user.pk


def _mine_page(request, form, *, status=200, done=False, closed=False, error=""):
    items = FeedbackItem.objects.filter(user_id=request.user.pk).order_by("-created_at")
    context = {
        "form": form,
        "items": items[:LISTED],
        "surveys": open_surveys_for(request.user),
        "done": done,
        "closed": closed,
        "error": error,
    }
    return render(request, MINE, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@elearn_required(Action.GIVE_FEEDBACK, _own)
def my_feedback(request: HttpRequest) -> HttpResponse:
    """The learner's items with their answers, the form, and the surveys open to them."""
    if request.method == "GET":
        return _mine_page(
            request, ItemForm(), done="sent" in request.GET, closed="closed" in request.GET
        )
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _mine_page(request, form, status=400)
    data = form.cleaned_data
    try:
        services.submit_item(
            request.user,
            kind=data["kind"],
            subject=data["subject"],
            body=data["body"],
            about=data["about"],
            course_key=data["course_key"],
            inbox_url=request.build_absolute_uri(reverse("elearn:feedback-inbox")),
        )
    except services.FeedbackError as exc:
        form.add_error(None, exc.message)
        return _mine_page(request, form, status=exc.status)
    return redirect(f"{reverse('elearn:feedback')}?sent=1")


@require_POST
@elearn_required(Action.GIVE_FEEDBACK, _own)
def close_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """The learner closes their own item: it needs nothing more."""
    try:
        services.close_item(item_id, user=request.user)
    except services.FeedbackError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        return _mine_page(request, ItemForm(), status=exc.status, error=exc.message)
    return redirect(f"{reverse('elearn:feedback')}?closed=1")


def _filters(request) -> dict:
    return {
        "state": request.GET.get("state", "open"),
        "kind": request.GET.get("kind", ""),
        "late": request.GET.get("late", ""),
    }


@never_cache
@require_http_methods(["GET"])
@elearn_required(Action.ANSWER_COURSE_FEEDBACK, ANY)
def inbox(request: HttpRequest) -> HttpResponse:
    """The items waiting for the user (HR: all; a course team: its courses' items)."""
    now = timezone.now()
    chosen = _filters(request)
    items = services.visible_items(request.user)
    late = items.filter(services.late_filter(now)).count()
    if chosen["state"] in ItemState.values:
        items = items.filter(state=chosen["state"])
    if chosen["kind"] in ItemKind.values:
        items = items.filter(kind=chosen["kind"])
    if chosen["late"]:
        items = items.filter(services.late_filter(now))
    rows = list(items.select_related("unit").order_by("due_at", "pk")[:LISTED])
    for item in rows:
        item.late = item.is_late(now)
    context = {
        "items": rows,
        "late_count": late,
        "chosen": chosen,
        "states": ItemState.choices,
        "kinds": ItemKind.choices,
        "hr": check(request.user, Action.MANAGE_FEEDBACK, ANY),
    }
    return render(request, INBOX, context)


@never_cache
@require_http_methods(["GET", "POST"])
@elearn_required(Action.ANSWER_COURSE_FEEDBACK, ANY)
def inbox_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item, and the form of its answer while it is open."""
    item = services.visible_items(request.user).select_related("unit").filter(pk=item_id).first()
    if item is None or not services.may_answer(request.user, item):
        raise Http404
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status, answered, error = 200, False, ""
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                item = services.answer_item(
                    item.pk,
                    actor=request.user,
                    answer=form.cleaned_data["answer"],
                    page_url=request.build_absolute_uri(reverse("elearn:feedback")),
                )
                answered = True
                form = AnswerForm()
            except services.FeedbackError as exc:
                error, status = exc.message, exc.status
    item.late = item.is_late()
    context = {
        "item": item,
        "form": form,
        "answered": answered,
        "error": error,
        "about_content": item.about in (ItemAbout.CONTENT, ItemAbout.QUESTION),
    }
    return render(request, ITEM, context, status=status)
