"""Standalone site: the plugin on SQLite with the XBlock workbench, loaded like the LMS loads it."""

import os
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

ROOT = Path(__file__).resolve().parent.parent.parent
VAR = Path(os.environ.get("ELEARN_DEVSITE_VAR", ROOT / "var"))
VAR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("ELEARN_DEVSITE_SECRET", "devsite-only-secret-not-for-production")
DEBUG = os.environ.get("ELEARN_DEVSITE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
LANGUAGE_CODE = os.environ.get("ELEARN_DEVSITE_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("zh-cn", "简体中文")]
ROOT_URLCONF = "conf.devsite.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "waffle",
    "djpyfs",
    "workbench",
    *get_plugin_apps("lms.djangoapp"),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(ROOT / "conf" / "devsite" / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "/static/"
STATIC_ROOT = str(VAR / "static")
# The tracked-video scenario's short demo clips (a few KB each).
STATICFILES_DIRS = [("elearn-demo", str(ROOT / "conf" / "devsite" / "media"))]
WORKBENCH = {"reset_state_on_restart": False, "services": {}}
EXCLUDED_XBLOCKS: list[str] = []
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR / "mail")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"

# xblock-sdk writes its file storage relative to the working directory.
DJFS = {"type": "osfs", "directory_root": str(VAR / "djpyfs"), "url_root": "/static/djpyfs"}

ELEARN_HOST_ADAPTERS = "fake"  # no Open edX here: in-memory course structure and enrolment

add_plugins(__name__, "lms.djangoapp", "common")
