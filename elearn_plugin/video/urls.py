"""URL patterns of the video domain (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.video import views

urlpatterns = [
    path("api/v1/video/report", views.ReportView.as_view(), name="video-report"),
    path("api/v1/video/session", views.SessionView.as_view(), name="video-session"),
    path("api/v1/video/state", views.StateView.as_view(), name="video-state"),
]
