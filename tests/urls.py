"""Test URLs: only this plugin's patterns, taken from the plugin machinery like the LMS does."""

from django.contrib import admin
from django.urls import include, path

from conf.devsite.plugin_urls import elearn_url_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("conf.devsite.auth_urls")),
    *elearn_url_patterns(),
]
