"""Stand-in of openedx-platform `lms/envs/test.py`: plugin *test* settings, then derivation."""

from edx_django_utils.plugins import add_plugins
from openedx.core.lib.derived import derive_settings

from lms.envs.common import *  # noqa: F403

SECRET_KEY = "lms-test-secret-key"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_ALWAYS_EAGER = True
CELERY_RESULT_BACKEND = "cache"
CELERY_CACHE_BACKEND = "memory"
BROKER_URL = "memory://"

add_plugins(__name__, "lms.djangoapp", "test")
derive_settings(__name__)
