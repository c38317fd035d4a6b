"""URL patterns of reinstatement (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.reinstatement import views

urlpatterns = [
    path("reinstatement/", views.request_link, name="reinstatement-request"),
    path("reinstatement/apply/<str:token>/", views.apply, name="reinstatement-apply"),
]
