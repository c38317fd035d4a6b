"""Stand-in of openedx-platform `openedx/core/djangoapps/user_api/apps.py`."""

from django.apps import AppConfig


class UserApiConfig(AppConfig):
    name = "openedx.core.djangoapps.user_api"
    label = "user_api"
    default_auto_field = "django.db.models.AutoField"
