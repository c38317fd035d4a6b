"""Standalone site: the stand-in LMS's common settings plus the XBlock workbench, on SQLite.

The plugin is found and configured by `lms/envs/common.py` of the stand-in platform tree
(`get_plugin_apps`, `add_plugins(..., "common")` while derived values are unresolved), as in
Open edX; this file then sets what a site operator would and derives, like production.py.
"""

import os
from pathlib import Path

from tests.host.path import add_platform

add_platform()

from lms.envs.common import *  # noqa: E402, F403
from openedx.core.lib.derived import derive_settings  # noqa: E402

from conf.devsite.base_settings import DEVSITE_TEMPLATES, ROOT  # noqa: E402

VAR = Path(os.environ.get("ELEARN_DEVSITE_VAR", ROOT / "var"))
VAR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("ELEARN_DEVSITE_SECRET", "devsite-only-secret-not-for-production")
DEBUG = os.environ.get("ELEARN_DEVSITE_DEBUG", "1") == "1"
# The dev site's audit trail is sealed with a fixed key; a real site's key comes from Tutor.
ELEARN_AUDIT_KEY = os.environ.get("ELEARN_DEVSITE_AUDIT_KEY", "devsite-audit-key-not-a-secret")
# The defaults with the demo's job-role rules (a new engineer gets Workplace Safety, P-14).
ELEARN_POLICY_FILE = os.environ.get(
    "ELEARN_DEVSITE_POLICY_FILE", str(ROOT / "conf" / "demo" / "policy.yaml")
)
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

# One cache for every process of the site (runserver, elearn_tick from cron, the shell), as
# the platform's memcached or Redis is: a sanction imposed by a job reaches the web process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR / "cache"),
    }
}

INSTALLED_APPS += ["djpyfs", "workbench"]  # noqa: F405
TEMPLATES[0]["DIRS"].append(DEVSITE_TEMPLATES)  # noqa: F405

STATIC_ROOT = str(VAR / "static")
# Uploads (learners' contributions) stay in the site's own folder, never the checkout.
MEDIA_ROOT = str(VAR / "media")
# The tracked-video scenario's short demo clips (a few KB each).
STATICFILES_DIRS.append(("elearn-demo", str(ROOT / "conf" / "devsite" / "media")))  # noqa: F405
# The "My training" widget's bundle (`make widget`, frontend/my-training), on the learner's home.
STATICFILES_DIRS.append(("elearn-widget", str(ROOT / "conf" / "devsite" / "widget")))  # noqa: F405
WORKBENCH = {"reset_state_on_restart": False, "services": {}}
EXCLUDED_XBLOCKS: list[str] = []
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR / "mail")
CELERY_ALWAYS_EAGER = True
BROKER_URL = "memory://"
ELEARN_HOST_ADAPTERS = "fake"  # no Open edX here: in-memory course structure and enrolment
# The demo is school-like enough to show the family view (P-35); off by default elsewhere.
ELEARN_FAMILY_VIEW_ENABLED = True

# xblock-sdk writes its file storage relative to the working directory.
DJFS = {"type": "osfs", "directory_root": str(VAR / "djpyfs"), "url_root": "/static/djpyfs"}

derive_settings(__name__)
