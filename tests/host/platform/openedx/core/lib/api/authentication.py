"""Stand-in of openedx-platform `openedx/core/lib/api/authentication.py`.

The platform's bearer-token classes validate OAuth2 access tokens of django-oauth-toolkit, the
platform's provider: `BearerAuthentication` (the class the Tutor plugin names for the report
endpoint) and `BearerAuthenticationAllowInactiveUser` (imported by edx-completion's views).
Here both are DOT's own DRF class; the platform's adds its error codes and inactive-user rule.
"""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication


class BearerAuthentication(OAuth2Authentication):
    """An `Authorization: Bearer <access token>` of the platform's OAuth2 provider."""


class BearerAuthenticationAllowInactiveUser(BearerAuthentication):
    """The same, also for inactive users (the platform's variant)."""
