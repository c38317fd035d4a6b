"""Stand-in of openedx-platform
`openedx/core/djangoapps/oauth_dispatch/dot_overrides/validators.py`.

Written from the platform's behaviour (no code copied). The LMS's `EdxOAuth2Validator`
replaces django-oauth-toolkit's `validate_user` for the password grant (the mobile apps):
- it calls Django's `authenticate(username=..., password=...)` **without the request**;
- when that finds nobody, it looks the typed name up as an email address and calls
  `authenticate()` again with that account's username;
- an inactive account is accepted (the platform lets unactivated users use the apps).
The refresh-token grant never calls `authenticate()`: DOT's `validate_refresh_token` only
checks that the refresh token exists, is not revoked and belongs to the client.
The platform's other overrides (client-credentials tokens owned by the application's user,
restricted applications, scope backends) are left out: the plugin meets none of them.
"""

from django.contrib.auth import authenticate, get_user_model
from oauth2_provider.oauth2_validators import OAuth2Validator


class EdxOAuth2Validator(OAuth2Validator):
    """Password grant: username or email, inactive users allowed."""

    def validate_user(self, username, password, client, request, *args, **kwargs):
        user = self._authenticate(username=username, password=password)
        if user is None:
            return False
        request.user = user
        return True

    def _authenticate(self, username, password):
        user = authenticate(username=username, password=password)
        if user is not None:
            return user
        user_model = get_user_model()
        try:
            by_email = user_model.objects.get(email=username)
        except user_model.DoesNotExist:
            return None
        return authenticate(username=by_email.username, password=password)
