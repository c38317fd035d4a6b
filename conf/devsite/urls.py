"""Standalone site URLs: login, home, admin, XBlock workbench and the plugin's own pages."""

from django.contrib import admin
from django.urls import include, path

from conf.devsite import views
from conf.devsite.plugin_urls import elearn_url_patterns

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("conf.devsite.auth_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("workbench/", include("workbench.urls")),
    *elearn_url_patterns(),
]
