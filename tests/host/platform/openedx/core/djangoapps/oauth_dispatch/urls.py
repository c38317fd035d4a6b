"""Stand-in of openedx-platform `openedx/core/djangoapps/oauth_dispatch/urls.py`.

Mounted by `lms/urls.py` under `oauth2/` (when `ENABLE_OAUTH2_PROVIDER`, on in Tutor). The
platform's token URL takes an optional trailing slash; authorisation and revocation views are
left out.
"""

from django.urls import re_path

from openedx.core.djangoapps.oauth_dispatch import views

urlpatterns = [
    re_path(r"^access_token/?$", views.AccessTokenView.as_view(), name="access_token"),
]
