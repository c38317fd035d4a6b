"""Send a learner who still has the password HR handed out to the change page first (P-2).

Pages get a redirect. The browser sign-in of the authn MFE is an XHR to the LMS's login
endpoint (under `/api/`, exempt from redirects): there the answer itself is changed, so the
MFE's own navigation (`window.location = redirect_url`) leads to the change page first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from elearn_plugin.conf import setting
from elearn_plugin.org import services

# API clients (mobile apps, XHR) get no HTML redirect; static files and logout stay reachable.


class ForcePasswordChangeMiddleware:
    """Redirects authenticated users whose Person.must_change_password is set.

    Exempt paths are decided before the user is looked at, and the flag is read through the
    cache, so a request costs no query of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_login_endpoint(request.path_info):
            return _first_sign_in_answer(request, self.get_response(request))
        if self._exempt(request.path):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and services.must_change_password(user.pk):
            target = reverse("elearn:password_change")
            if request.method == "GET":
                target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        configured = setting("ELEARN_PASSWORD_CHANGE_EXEMPT_PREFIXES")
        prefixes = _exempt_prefixes(
            tuple(configured),
            getattr(settings, "STATIC_URL", None),
            getattr(settings, "MEDIA_URL", None),
            get_urlconf(),
            get_script_prefix(),
        )
        return path.startswith(prefixes)


def _is_login_endpoint(path: str) -> bool:
    return path in tuple(setting("ELEARN_LOGIN_ENDPOINTS"))


def _first_sign_in_answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A successful sign-in of a flagged learner: its `redirect_url` goes to the change page.

    The LMS answers `{"success": true, "redirect_url": <absolute URL>}` and the MFE navigates
    there; the change page comes first and carries the original destination as `next`.
    """
    user = getattr(request, "user", None)
    if response.status_code != 200 or user is None or not user.is_authenticated:
        return response
    if not response.get("Content-Type", "").startswith("application/json"):
        return response
    if not services.must_change_password(user.pk):
        return response
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response
    if not isinstance(data, dict) or data.get("success") is not True:
        return response
    target = request.build_absolute_uri(reverse("elearn:password_change"))
    if data.get("redirect_url"):
        target = f"{target}?{urlencode({'next': data['redirect_url']})}"
    data["redirect_url"] = target
    response.content = json.dumps(data).encode("utf-8")
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response


@functools.lru_cache(maxsize=32)
def _exempt_prefixes(
    configured: tuple[str, ...],
    static_url: str | None,
    media_url: str | None,
    urlconf: str | None,
    script_prefix: str,
) -> tuple[str, ...]:
    """The exempt prefixes for one configuration (URL reversing is too slow per request)."""
    prefixes = [str(p) for p in configured]
    prefixes.append(reverse("elearn:password_change", urlconf=urlconf))
    try:
        prefixes.append(reverse("logout", urlconf=urlconf))
    except NoReverseMatch:
        pass
    for url in (static_url, media_url):
        if url and str(url).startswith("/") and str(url) != "/":
            prefixes.append(str(url))
    return tuple(prefixes)
