"""URL patterns of the learning domain: permitted slots (P-18), under the plugin's namespace."""

from django.urls import path

from elearn_plugin.learning import views

urlpatterns = [
    path("api/v1/learning/slots", views.GrantSlotView.as_view(), name="learning-grant-slot"),
    path("learning/slots/grant/", views.grant_slot_page, name="learning-grant-slot-page"),
]
