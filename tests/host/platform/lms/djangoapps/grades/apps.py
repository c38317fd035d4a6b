"""Stand-in of openedx-platform `lms/djangoapps/grades/apps.py`: the app labelled `grades`.

The LMS lists it in `INSTALLED_APPS` (`lms.djangoapps.grades.apps.GradesConfig`); Studio does
not (its tasks check `'lms.djangoapps.grades.apps.GradesConfig' in settings.INSTALLED_APPS`).
"""

from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "lms.djangoapps.grades"
    label = "grades"
    default_auto_field = "django.db.models.AutoField"
