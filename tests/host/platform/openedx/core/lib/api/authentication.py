"""Stand-in of openedx-platform `openedx/core/lib/api/authentication.py`.

edx-completion's API views import this class from the platform. In the harness it
authenticates nobody (there is no OAuth2 provider), so those views see session users only.
"""

from rest_framework.authentication import BaseAuthentication


class BearerAuthenticationAllowInactiveUser(BaseAuthentication):
    """The platform's OAuth2 bearer-token class; here no token is ever accepted."""

    def authenticate(self, request):
        return None
