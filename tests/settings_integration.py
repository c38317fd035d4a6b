"""Integration settings: the unit-test settings on the machine's MariaDB and Redis.

The test database is created by pytest-django as ``TEST.NAME``; worker processes started by the
suite connect to that same database by setting ``ELEARN_IT_DB_NAME`` to it, so they see the rows
the tests commit.
"""

import os

from tests.settings import *  # noqa: F403

_DB_HOST = os.environ.get("ELEARN_IT_DB_HOST", "127.0.0.1")
_DB_PORT = os.environ.get("ELEARN_IT_DB_PORT", "3306")
# One test database per pytest process, so that runs side by side never drop each other's.
TEST_DB_NAME = os.environ.get("ELEARN_IT_TEST_DB_NAME", f"test_elearn_it_{os.getpid()}")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ.get("ELEARN_IT_DB_NAME", "test"),
        "USER": os.environ.get("ELEARN_IT_DB_USER", "root"),
        "PASSWORD": os.environ.get("ELEARN_IT_DB_PASSWORD", ""),
        "HOST": _DB_HOST,
        "PORT": _DB_PORT,
        "OPTIONS": {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"},
        "TEST": {
            "NAME": TEST_DB_NAME,
            "CHARSET": "utf8mb4",
            "COLLATION": "utf8mb4_unicode_ci",
        },
    }
}

_REDIS = os.environ.get("ELEARN_IT_REDIS", "redis://127.0.0.1:6379")
REDIS_BROKER_DB = 11
REDIS_RESULT_DB = 12
# Old-style names: the platform's Celery app (stand-in `lms.celery`) reads settings without a
# namespace. The queues are the platform's own (CELERY_DEFAULT_QUEUE = edx.lms.core.default);
# the suite's private Redis databases keep a developer's own workers away from its tasks.
BROKER_URL = f"{_REDIS}/{REDIS_BROKER_DB}"
CELERY_RESULT_BACKEND = f"{_REDIS}/{REDIS_RESULT_DB}"
CELERY_ALWAYS_EAGER = False
CELERY_EAGER_PROPAGATES_EXCEPTIONS = False

# A throwaway migrations package (set while trying migrations before they are committed).
if os.environ.get("ELEARN_IT_MIGRATION_MODULE"):
    MIGRATION_MODULES = {"elearn_plugin": os.environ["ELEARN_IT_MIGRATION_MODULE"]}

# Worker processes and the test process share invalidations (e.g. a learner's block) through Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"{_REDIS}/13",
        "KEY_PREFIX": "elearn-it",
    }
}

# The suite's test-only periodic job, registered in its worker processes too.
CELERY_IMPORTS = ["tests.integration.jobs"]
