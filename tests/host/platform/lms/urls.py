"""Stand-in of openedx-platform `lms/urls.py`: the LMS's own pages, then every plugin's.

`urlpatterns.extend(get_plugin_url_patterns(ProjectType.LMS))` adds no prefix of its own: the
plugin's `url_config` regex and namespace are all there is.

The sign-in endpoints are mounted where the platform mounts them: the authn MFE's
`api/user/(v1|v2)/account/login_session/` (upstream through `user_authn/urls_common.py`), and,
with `ENABLE_OAUTH2_PROVIDER` (on in Tutor), `oauth2/` for the platform's dispatching views
(`oauth2/access_token`, the mobile apps' token endpoint) and `_o/` for django-oauth-toolkit's
own URL names.
"""

from django.contrib import admin
from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns
from openedx.core.djangoapps.user_authn.views.login import LoginSessionView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    re_path(
        r"^api/user/(?P<api_version>v(1|2))/account/login_session/$",
        LoginSessionView.as_view(),
        name="user_api_login_session",
    ),
    path("oauth2/", include("openedx.core.djangoapps.oauth_dispatch.urls")),
    path("_o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    # The LMS's sign-in and sign-out pages (the standalone site's stand in for them).
    path("", include("conf.devsite.auth_urls")),
]

urlpatterns.extend(get_plugin_url_patterns("lms.djangoapp"))
