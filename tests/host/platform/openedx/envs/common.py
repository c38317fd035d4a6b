"""Stand-in of openedx-platform `openedx/envs/common.py`: what the LMS and Studio share.

Only the facts a plugin meets: values that are still `Derived` while plugin *common* settings
run (LOCALE_PATHS, STATICFILES_DIRS entries, template dirs and context processors, the Celery
defaults), dicts that the YAML replaces wholesale, and the lists that plugins extend.
"""

from pathlib import Path

from openedx.core.lib.derived import Derived

REPO_ROOT = str(Path(__file__).resolve().parents[2])

DEBUG = False
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-cn", "简体中文")]
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"

PREPEND_LOCALE_PATHS: list[str] = []
COMPREHENSIVE_THEME_LOCALE_PATHS: list[str] = []
ENABLE_COMPREHENSIVE_THEMING = False


def _make_locale_paths(settings) -> list[str]:
    """The platform's own catalogues and the theme's; installed apps' `locale/` are Django's job."""
    paths = list(settings.PREPEND_LOCALE_PATHS)
    paths += [settings.REPO_ROOT + "/conf/locale"]
    if settings.ENABLE_COMPREHENSIVE_THEMING:
        paths += list(settings.COMPREHENSIVE_THEME_LOCALE_PATHS)
    return paths


LOCALE_PATHS = Derived(_make_locale_paths)
ROOT_URLCONF = Derived(lambda settings: f"{settings.SERVICE_VARIANT}.urls")
STATICFILES_DIRS = [Derived(lambda settings: settings.PROJECT_ROOT + "/static")]

TEMPLATES = [
    {
        "NAME": "django",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Derived(lambda settings: settings.PROJECT_ROOT + "/templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": Derived(lambda settings: settings.CONTEXT_PROCESSORS)},
    },
]

# Celery, read by the platform's app under the old-style names.
CELERY_DEFAULT_EXCHANGE = Derived(lambda settings: f"edx.{settings.SERVICE_VARIANT}.core")
CELERY_DEFAULT_EXCHANGE_TYPE = "direct"
CELERY_DEFAULT_ROUTING_KEY = CELERY_DEFAULT_QUEUE = Derived(
    lambda settings: settings.DEFAULT_PRIORITY_QUEUE
)
CELERY_IMPORTS: list[str] = []
CELERYBEAT_SCHEDULE: dict = {}
EXPLICIT_QUEUES: dict = {}
ALTERNATE_ENV_TASKS: dict = {}

FEATURES: dict = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "waffle",
    "common.djangoapps.student",
    "openedx.core.djangoapps.plugins.apps.PluginsConfig",
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

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]


def fresh_collections() -> dict:
    """Copies of the mutable settings above, for a project's own common settings module."""
    import copy  # noqa: PLC0415

    names = (
        "INSTALLED_APPS",
        "MIDDLEWARE",
        "TEMPLATES",
        "CONTEXT_PROCESSORS",
        "STATICFILES_DIRS",
        "CELERY_IMPORTS",
        "CELERYBEAT_SCHEDULE",
        "EXPLICIT_QUEUES",
        "ALTERNATE_ENV_TASKS",
        "FEATURES",
        "CACHES",
        "PREPEND_LOCALE_PATHS",
        "COMPREHENSIVE_THEME_LOCALE_PATHS",
    )
    return {name: copy.deepcopy(globals()[name]) for name in names}
