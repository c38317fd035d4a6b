"""URL patterns of the standing domain (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.standing import views

urlpatterns = [
    path("standing/me/", views.my_standing, name="standing-me"),
    path(
        "standing/sanctions/<int:sanction_id>/lift/",
        views.lift_sanction,
        name="standing-lift",
    ),
]
