"""URL patterns of the learner's own read API (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.learner import views

urlpatterns = [
    path("api/v1/me/summary/", views.MySummary.as_view(), name="me-summary"),
    path("api/v1/me/archive/", views.MyArchive.as_view(), name="me-archive"),
    path("my-training/", views.my_training, name="my-training"),
]
