"""URL patterns of the tick domain (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.tick import views

urlpatterns: list = [
    path("api/v1/health", views.health_view, name="health"),
]
