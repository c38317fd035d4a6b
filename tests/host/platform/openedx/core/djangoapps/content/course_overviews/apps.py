"""Stand-in of openedx-platform `openedx/core/djangoapps/content/course_overviews/apps.py`: the
app labelled `course_overviews`, which the LMS lists in `INSTALLED_APPS`
(`openedx.core.djangoapps.content.course_overviews.apps.CourseOverviewsConfig`)."""

from django.apps import AppConfig


class CourseOverviewsConfig(AppConfig):
    name = "openedx.core.djangoapps.content.course_overviews"
    label = "course_overviews"
    default_auto_field = "django.db.models.AutoField"
