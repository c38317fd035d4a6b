"""URL patterns of the video domain (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.video import slot_views, views

urlpatterns = [
    path("api/v1/video/report", views.ReportView.as_view(), name="video-report"),
    path("api/v1/video/session", views.SessionView.as_view(), name="video-session"),
    path("api/v1/video/state", views.StateView.as_view(), name="video-state"),
    path("api/v1/learning/slots", slot_views.GrantSlotView.as_view(), name="video-grant-slot"),
    path("learning/slots/grant/", slot_views.grant_slot_page, name="video-grant-slot-page"),
]
