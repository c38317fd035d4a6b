"""Stand-in of openedx-platform `openedx/core/djangoapps/plugins/apps.py`.

The platform's own `PluginsConfig.ready()` connects every plugin's `signals_config` receivers
with edx-django-utils' `connect_plugin_receivers`, for the project its ROOT_URLCONF names.
"""

from django.apps import AppConfig
from django.conf import settings
from edx_django_utils.plugins import connect_plugin_receivers


class PluginsConfig(AppConfig):
    name = "openedx.core.djangoapps.plugins"
    label = "plugins"

    def ready(self) -> None:
        project_type = "lms.djangoapp" if settings.ROOT_URLCONF == "lms.urls" else "cms.djangoapp"
        connect_plugin_receivers(project_type)
