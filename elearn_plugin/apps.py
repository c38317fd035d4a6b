"""Django app configuration: how Open edX discovers and wires the plugin."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from edx_django_utils.plugins.constants import (
    PluginSettings,
    PluginSignals,
    PluginURLs,
)

_PROJECTS = ("lms.djangoapp", "cms.djangoapp")


def _settings_config() -> dict:
    return {
        project: {
            "common": {PluginSettings.RELATIVE_PATH: "settings.common"},
            "production": {PluginSettings.RELATIVE_PATH: "settings.production"},
            "test": {PluginSettings.RELATIVE_PATH: "settings.test"},
        }
        for project in _PROJECTS
    }


def _url_config() -> dict:
    return {
        project: {
            PluginURLs.NAMESPACE: "elearn",
            PluginURLs.REGEX: r"^elearn/",
            PluginURLs.RELATIVE_PATH: "urls",
        }
        for project in _PROJECTS
    }


def _signals_config() -> dict:
    # Receivers are attached by dotted path so that the host's own signal modules are
    # imported only inside the host; `host.receivers.RECEIVERS` is the single list.
    from elearn_plugin.host.receivers import receivers_for  # noqa: PLC0415

    return {
        project: {
            PluginSignals.RELATIVE_PATH: "host.receivers",
            PluginSignals.RECEIVERS: receivers_for(project),
        }
        for project in _PROJECTS
    }


class ElearnPluginConfig(AppConfig):
    """The plugin app, registered for both the LMS and Studio."""

    name = "elearn_plugin"
    label = "elearn_plugin"
    verbose_name = _("E-learning policy")
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        PluginURLs.CONFIG: _url_config(),
        PluginSettings.CONFIG: _settings_config(),
        PluginSignals.CONFIG: _signals_config(),
    }

    def ready(self) -> None:
        from elearn_plugin import checks  # noqa: F401, PLC0415  (registers system checks)
        from elearn_plugin.host.tokens import connect_token_receivers  # noqa: PLC0415

        # A closed month records its hours cap, then freezes its rankings (in this order)
        from elearn_plugin.hours import hooks as _hours  # noqa: F401, PLC0415
        from elearn_plugin.lifecycle.receivers import connect_lifecycle_receivers  # noqa: PLC0415
        from elearn_plugin.permissions import connect_role_receivers  # noqa: PLC0415
        from elearn_plugin.rankings import hooks as _rankings  # noqa: F401, PLC0415

        # ...and last mails the units' reports, which read the hours just recorded.
        from elearn_plugin.staff import monthly as _monthly  # noqa: F401, PLC0415

        connect_role_receivers()
        connect_token_receivers()
        connect_lifecycle_receivers()
