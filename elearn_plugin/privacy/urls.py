"""URL patterns of the privacy notice (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.privacy import views

urlpatterns = [
    path("privacy/", views.notice_page, name="privacy-notice"),
    path("privacy/acknowledge/", views.acknowledge, name="privacy-acknowledge"),
]
