"""Standalone site URLs: its home page, the demo media and the XBlock workbench, then the
stand-in LMS's URLs (`lms/urls.py`: sign-in, admin, and every plugin through
`get_plugin_url_patterns`)."""

from django.urls import include, path
from lms.urls import urlpatterns as lms_urlpatterns
from workbench import urls as workbench_urls

from conf.devsite import media_views, views

# The workbench's own patterns without its second admin site (the site's admin is /admin/).
_workbench = [
    pattern
    for pattern in workbench_urls.urlpatterns
    if getattr(pattern, "namespace", None) != "admin"
]

urlpatterns = [
    path("", views.home, name="home"),
    # Before the LMS's patterns: the tracked-video scenario's clips, with Range requests.
    path("elearn-demo-media/<str:name>", media_views.demo_media, name="devsite-demo-media"),
    path("workbench/", include(_workbench)),
    *lms_urlpatterns,
]
