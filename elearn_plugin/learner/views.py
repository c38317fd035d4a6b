"""The learner's own read API (`api/v1/me/…`): the month summary and the archive.

Called from the learner dashboard micro-frontend's origin and the video's view, so its
authentication classes are a setting (`ELEARN_LEARNER_API_AUTHENTICATION_CLASSES`: the
session in the browser; in the LMS the platform's JWT cookie and bearer classes, as the
Tutor plugin sets them). Role and scope: `VIEW_OWN_RECORDS` on the caller themself.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET
from rest_framework.response import Response
from rest_framework.views import APIView

from elearn_plugin.conf import setting
from elearn_plugin.learner.summary import archive_page, month_summary
from elearn_plugin.permissions import Action, ElearnPermission, elearn_required
from elearn_plugin.privacy.notice import notice_first


class _MyView(APIView):
    permission_classes = [ElearnPermission]
    elearn_action = Action.VIEW_OWN_RECORDS

    def get_elearn_target(self):
        return self.request.user.pk

    def get_authenticators(self):
        paths = setting("ELEARN_LEARNER_API_AUTHENTICATION_CLASSES")
        return [import_string(path)() for path in paths]


class MySummary(_MyView):
    """GET: this month's quota, tasks, block, credits, points, ranks and the last verdict."""

    def get(self, request):
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

        return Response(month_summary(request.user.pk, get_policy()))


class MyArchive(_MyView):
    """GET ?page=N: courses completed, learning time and closed months, newest first."""

    def get(self, request):
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            return Response({"detail": "page must be a whole number from 1"}, status=400)
        return Response(archive_page(request.user.pk, int(raw)))


@require_GET
@elearn_required(Action.VIEW_OWN_RECORDS, lambda request: request.user.pk)
@notice_first
def my_training(request: HttpRequest) -> HttpResponse:
    """The learner's whole record as a page (the widget links here), page by page."""
    from django.utils.translation import gettext as _  # noqa: PLC0415

    raw = request.GET.get("page", "1")
    page = int(raw) if raw.isdigit() and 1 <= int(raw) <= 10_000 else 1
    archive = archive_page(request.user.pk, page)
    labels = {
        "quota_warning": _("warned: fewer required courses than the quota"),
        "missed_tasks_suspension": _("suspended: tasks missed"),
        "revocation": _("revoked: months with missed tasks"),
    }
    for month in archive["months"]:
        month["labels"] = [labels.get(code, code) for code in month["consequences"]]
    return render(request, "elearn_plugin/learner/my_training.html", {"archive": archive})
