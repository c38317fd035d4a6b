"""URL patterns of learner contributions (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.contributions import views

urlpatterns = [
    path("contributions/", views.my_contributions, name="contributions"),
    path(
        "contributions/<int:contribution_id>/file/",
        views.contribution_file,
        name="contribution-file",
    ),
]
