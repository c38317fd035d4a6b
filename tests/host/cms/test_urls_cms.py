"""Studio mounts the plugin's URLs the same way (openedx-platform `cms/urls.py`)."""

from django.conf import settings
from django.urls import reverse


def test_studio_url_conf_mounts_the_plugin():
    assert settings.ROOT_URLCONF == "cms.urls"
    assert reverse("elearn:health") == "/elearn/api/v1/health"
