"""The health endpoint: the tick and outbox state as JSON, for HR staff and monitoring."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.tick.services import health


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """200 with the report when healthy, 503 when not; 401/403 without the right role."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": _("Sign in to see this page.")}, status=401)
    if not check(user, Action.VIEW_HEALTH, ANY):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    report = health()
    return JsonResponse(report, status=200 if report["healthy"] else 503)
