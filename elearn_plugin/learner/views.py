"""The learner's own read API (`api/v1/me/…`): the month summary and the archive.

Called from the learner dashboard micro-frontend's origin and the video's view, so its
authentication classes are a setting (`ELEARN_LEARNER_API_AUTHENTICATION_CLASSES`: the
session in the browser; in the LMS the platform's JWT cookie and bearer classes, as the
Tutor plugin sets them). Role and scope: `VIEW_OWN_RECORDS` on the caller themself.
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from rest_framework.response import Response
from rest_framework.views import APIView

from elearn_plugin.conf import setting
from elearn_plugin.learner.summary import archive_page, month_summary
from elearn_plugin.permissions import Action, ElearnPermission


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
