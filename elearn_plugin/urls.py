"""The plugin's URLs, mounted by the host under ^elearn/ (namespace `elearn`)."""

from django.urls import include, path

urlpatterns = [
    path("", include("elearn_plugin.org.urls")),
    path("", include("elearn_plugin.standing.urls")),
    path("", include("elearn_plugin.ledger.urls")),
    path("", include("elearn_plugin.courses.urls")),
    path("", include("elearn_plugin.learning.urls")),
    path("", include("elearn_plugin.outbox.urls")),
    path("", include("elearn_plugin.tick.urls")),
    path("", include("elearn_plugin.video.urls")),
]
