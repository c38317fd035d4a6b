"""What the standalone site and the unit-test settings share: Django's core apps and pipeline.

Pure constants; no plugin discovery here. Each final settings module lists the plugin apps with
`get_plugin_apps` and calls `add_plugins(__name__, ...)` itself, so the plugin's settings land in
that module. Lists are tuples so that a final module copies them before the plugin extends them.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

CORE_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "waffle",
)

CORE_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "waffle.middleware.WaffleMiddleware",
)

# Copy before changing (``deepcopy``): the plugin or a test may extend it in place.
TEMPLATES = (
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
    },
)

USE_TZ = True
USE_I18N = True
LANGUAGES = [("en", "English"), ("zh-cn", "简体中文")]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
ELEARN_HOST_ADAPTERS = "fake"  # no Open edX here: in-memory course structure and enrolment
