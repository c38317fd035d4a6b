"""This plugin's URL patterns, built from its `plugin_app["url_config"]` as the LMS builds them.

edx-django-utils' `get_plugin_url_patterns` would import every installed plugin's URL module,
and edx-completion's needs the LMS; the standalone site mounts only this plugin's.
"""

from django.apps import apps
from django.urls import include, re_path
from edx_django_utils.plugins.constants import PluginURLs


def elearn_url_patterns(project_type: str = "lms.djangoapp") -> list:
    config = apps.get_app_config("elearn_plugin")
    url_config = config.plugin_app[PluginURLs.CONFIG][project_type]
    module = f"{config.name}.{url_config[PluginURLs.RELATIVE_PATH]}"
    return [
        re_path(
            url_config.get(PluginURLs.REGEX, r""),
            include((module, config.name), namespace=url_config[PluginURLs.NAMESPACE]),
        )
    ]
