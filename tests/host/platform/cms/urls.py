"""Stand-in of openedx-platform `cms/urls.py`: Studio's own pages, then every plugin's.

`urlpatterns.extend(get_plugin_url_patterns(ProjectType.CMS))` adds no prefix of its own: the
plugin's `url_config` regex and namespace are all there is.
"""

from django.contrib import admin
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Studio's sign-in and sign-out pages (the standalone site's stand in for them).
    path("", include("conf.devsite.auth_urls")),
]

urlpatterns.extend(get_plugin_url_patterns("cms.djangoapp"))
