"""Standalone site URLs: its home page and the XBlock workbench, then the stand-in LMS's URLs
(`lms/urls.py`: sign-in, admin, and every plugin through `get_plugin_url_patterns`)."""

from django.urls import include, path
from lms.urls import urlpatterns as lms_urlpatterns
from workbench import urls as workbench_urls

from conf.devsite import views

# The workbench's own patterns without its second admin site (the site's admin is /admin/).
_workbench = [
    pattern
    for pattern in workbench_urls.urlpatterns
    if getattr(pattern, "namespace", None) != "admin"
]

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", include(_workbench)),
    *lms_urlpatterns,
]
