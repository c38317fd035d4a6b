"""Standalone site: the plugin on SQLite with the XBlock workbench, loaded like the LMS loads it."""

import os
from copy import deepcopy
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

from conf.devsite import base_settings as _base
from conf.devsite.base_settings import *  # noqa: F403

ROOT = _base.ROOT

VAR = Path(os.environ.get("ELEARN_DEVSITE_VAR", ROOT / "var"))
VAR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("ELEARN_DEVSITE_SECRET", "devsite-only-secret-not-for-production")
DEBUG = os.environ.get("ELEARN_DEVSITE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = os.environ.get("ELEARN_DEVSITE_LANGUAGE", "en")
ROOT_URLCONF = "conf.devsite.urls"
WSGI_APPLICATION = None

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR / "devsite.sqlite3"),
        # A keepalive report arriving while the next page starts a session waits for the
        # write lock instead of failing with "database is locked".
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}

INSTALLED_APPS = [
    *_base.CORE_APPS,
    "djpyfs",
    "workbench",
    *get_plugin_apps("lms.djangoapp"),
]
MIDDLEWARE = list(_base.CORE_MIDDLEWARE)
TEMPLATES = deepcopy(list(_base.TEMPLATES))

STATIC_ROOT = str(VAR / "static")
# The tracked-video scenario's short demo clips (a few KB each).
STATICFILES_DIRS = [("elearn-demo", str(ROOT / "conf" / "devsite" / "media"))]
WORKBENCH = {"reset_state_on_restart": False, "services": {}}
EXCLUDED_XBLOCKS: list[str] = []
LOGIN_REDIRECT_URL = "/"
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR / "mail")

# xblock-sdk writes its file storage relative to the working directory.
DJFS = {"type": "osfs", "directory_root": str(VAR / "djpyfs"), "url_root": "/static/djpyfs"}

add_plugins(__name__, "lms.djangoapp", "common")
