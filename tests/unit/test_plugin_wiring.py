"""The plugin is discovered and wired through edx-django-utils the way the LMS and Studio do it."""

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from edx_django_utils.plugins import get_plugin_apps


def test_app_is_a_plugin_of_lms_and_studio():
    assert "elearn_plugin.apps.ElearnPluginConfig" in get_plugin_apps("lms.djangoapp")
    assert "elearn_plugin.apps.ElearnPluginConfig" in get_plugin_apps("cms.djangoapp")


def test_app_loaded_from_plugin_list():
    assert apps.get_app_config("elearn_plugin").verbose_name


def test_plugin_settings_applied_by_add_plugins():
    assert settings.ELEARN_POLICY_FILE.endswith(".yaml")


def test_url_config_mounts_under_elearn_in_both_projects():
    config = apps.get_app_config("elearn_plugin").plugin_app["url_config"]
    for project in ("lms.djangoapp", "cms.djangoapp"):
        assert config[project]["namespace"] == "elearn"
        assert config[project]["regex"] == r"^elearn/"


def test_login_page_renders(client):
    assert client.get(reverse("login")).status_code == 200
