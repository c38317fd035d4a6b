"""Send a learner who still has the password HR handed out to the change page first (P-2)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from elearn_plugin.org import services

# API clients (mobile apps, XHR) get no HTML redirect; static files and logout stay reachable.
DEFAULT_EXEMPT_PREFIXES = ("/api/", "/elearn/api/", "/logout", "/oauth2/", "/i18n/", "/jsi18n/")


class ForcePasswordChangeMiddleware:
    """Redirects authenticated users whose Person.must_change_password is set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._exempt(request.path)
            and services.must_change_password(user.pk)
        ):
            target = reverse("elearn:password_change")
            if request.method == "GET":
                target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        prefixes = list(
            getattr(settings, "ELEARN_PASSWORD_CHANGE_EXEMPT_PREFIXES", DEFAULT_EXEMPT_PREFIXES)
        )
        prefixes.append(reverse("elearn:password_change"))
        for name in ("logout",):
            try:
                prefixes.append(reverse(name))
            except NoReverseMatch:
                pass
        for url_setting in ("STATIC_URL", "MEDIA_URL"):
            url = getattr(settings, url_setting, None)
            if url and str(url).startswith("/") and str(url) != "/":
                prefixes.append(str(url))
        return any(path.startswith(prefix) for prefix in prefixes)
