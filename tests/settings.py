"""Test settings: the plugin is loaded through edx-django-utils exactly as the LMS loads it."""

import os
from copy import deepcopy

from edx_django_utils.plugins import add_plugins, get_plugin_apps

from conf.devsite import base_settings as _base
from conf.devsite.base_settings import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
DEBUG = False
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ROOT_URLCONF = "tests.urls"
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
    }
}

INSTALLED_APPS = [*_base.CORE_APPS, *get_plugin_apps("lms.djangoapp")]
MIDDLEWARE = list(_base.CORE_MIDDLEWARE)
TEMPLATES = deepcopy(list(_base.TEMPLATES))

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

add_plugins(__name__, "lms.djangoapp", "common")
add_plugins(__name__, "lms.djangoapp", "test")

if os.environ.get("ELEARN_TEST_POLICY_FILE"):
    ELEARN_POLICY_FILE = os.environ["ELEARN_TEST_POLICY_FILE"]
