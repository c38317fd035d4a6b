"""Stand-in of openedx-platform `openedx/core/djangoapps/oauth_dispatch/views.py`.

Written from the platform's behaviour (no code copied): `AccessTokenView` dispatches to
django-oauth-toolkit's `TokenView` (DOT is the only backend left), behind a per-address rate
limit; with `token_type=jwt` it replaces the opaque access token in a successful answer by a
JWT of `JWT_ACCESS_TOKEN_EXPIRE_SECONDS` (the refresh token stays opaque and revocable). The
rate limit and the JWT conversion are left out: the plugin's behaviour does not depend on them
(a JWT is refused by the plugin's endpoints through `ElearnPermission`, and its lifetime is the
documented bound, docs/sign-in.md).
"""

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider import views as dot_views


@method_decorator(csrf_exempt, name="dispatch")
class AccessTokenView(View):
    """POST /oauth2/access_token: password, refresh-token and other grants, answered by DOT."""

    def dispatch(self, request, *args, **kwargs):
        return dot_views.TokenView.as_view()(request, *args, **kwargs)
