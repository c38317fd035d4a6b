"""URL patterns of the org domain (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.org import views

urlpatterns: list = [
    path("password/", views.password_change, name="password_change"),
]
