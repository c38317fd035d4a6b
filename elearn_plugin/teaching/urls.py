"""URL patterns of the instructor archive (mounted under the plugin's namespace)."""

from django.urls import path

from elearn_plugin.teaching import views

urlpatterns = [
    path("teaching/rate/", views.rate_page, name="teaching-rate"),
    path("teaching/instructors/", views.instructors_page, name="teaching-instructors"),
    path(
        "teaching/instructors/export.<str:fmt>",
        views.instructors_export,
        name="teaching-instructors-export",
    ),
    path(
        "teaching/instructors/<int:instructor_id>/",
        views.instructor_page,
        name="teaching-instructor",
    ),
    path(
        "teaching/instructors/<int:instructor_id>/<slug:table>.<str:fmt>",
        views.instructor_export,
        name="teaching-instructor-export",
    ),
    path("teaching/courses/", views.courses_page, name="teaching-courses"),
    path("teaching/courses/export.<str:fmt>", views.courses_export, name="teaching-courses-export"),
]
