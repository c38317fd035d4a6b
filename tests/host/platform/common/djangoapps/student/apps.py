"""The stand-in student app: label `student`, as in the platform."""

from django.apps import AppConfig


class StudentConfig(AppConfig):
    name = "common.djangoapps.student"
    label = "student"
    default_auto_field = "django.db.models.AutoField"
