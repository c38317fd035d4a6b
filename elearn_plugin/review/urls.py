"""URL patterns of the review domain (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.review import views

urlpatterns = [
    path("referrals/", views.referrals, name="referrals"),
]
