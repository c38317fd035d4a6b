"""URL patterns of the staff pages (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.staff import dashboard_views, views

urlpatterns = [
    path("units/", views.units_page, name="staff-units"),
    path("units/<slug:code>/", views.unit_page, name="staff-unit"),
    path("units/<slug:code>/export.<str:fmt>", views.unit_export, name="staff-unit-export"),
    path("units/<slug:code>/remind/", views.remind_view, name="staff-unit-remind"),
    path(
        "units/report/<str:period>.xlsx",
        views.monthly_report_download,
        name="staff-unit-report",
    ),
    path("api/v1/units/learners", views.learner_choices, name="staff-learner-choices"),
    path("hr/", dashboard_views.dashboard_page, name="staff-dashboard"),
    path(
        "hr/export/<slug:table>.<str:fmt>",
        dashboard_views.dashboard_export,
        name="staff-dashboard-export",
    ),
]
