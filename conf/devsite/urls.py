"""Standalone site URLs: login, home, admin, XBlock workbench and the plugin's own pages."""

from django.contrib import admin
from django.urls import include, path
from workbench import urls as workbench_urls

from conf.devsite import views
from conf.devsite.plugin_urls import elearn_url_patterns

# The workbench's own patterns without its second admin site (the site's admin is /admin/).
_workbench = [
    pattern
    for pattern in workbench_urls.urlpatterns
    if getattr(pattern, "namespace", None) != "admin"
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("conf.devsite.auth_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("workbench/", include(_workbench)),
    *elearn_url_patterns(),
]
