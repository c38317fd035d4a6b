"""URL patterns of the family view (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.family import views

urlpatterns = [
    path("family/", views.my_links, name="family-links"),
    path("family/learner/<int:user_id>/", views.learner_links, name="family-learner-links"),
    path("family/links/<int:link_id>/revoke/", views.revoke, name="family-revoke"),
    path("family/view/<str:token>/", views.report, name="family-view"),
]
