"""The plugin's URLs, mounted by the host under ^elearn/ (namespace `elearn`).

Each domain with endpoints has its `views.py` and `urls.py`, included here.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("elearn_plugin.contributions.urls")),
    path("", include("elearn_plugin.feedback.urls")),
    path("", include("elearn_plugin.family.urls")),
    path("", include("elearn_plugin.learner.urls")),
    path("", include("elearn_plugin.learning.urls")),
    path("", include("elearn_plugin.org.urls")),
    path("", include("elearn_plugin.privacy.urls")),
    path("", include("elearn_plugin.reinstatement.urls")),
    path("", include("elearn_plugin.review.urls")),
    path("", include("elearn_plugin.staff.urls")),
    path("", include("elearn_plugin.standing.urls")),
    path("", include("elearn_plugin.teaching.urls")),
    path("", include("elearn_plugin.tick.urls")),
    path("", include("elearn_plugin.video.urls")),
]
