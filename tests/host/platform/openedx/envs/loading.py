"""The steps of `lms/envs/production.py` and `cms/envs/production.py` that a plugin meets.

Both platform files do the same, in this order (one function here instead of two copies):
1. read the YAML file named by `LMS_CFG` / `CMS_CFG` and `vars().update()` the settings module
   with it, every key replaced wholesale except a few merged ones (FEATURES, ...);
2. `derive_settings(__name__)`: every `Derived` is resolved now;
3. `ENV_TOKENS = AUTH_TOKENS = <the YAML>` (kept for backwards compatibility);
4. `add_plugins(__name__, <project>, "production")`;
5. settings assigned after the plugins (ALTERNATE_ENV_TASKS, EXPLICIT_QUEUES), which overwrite
   whatever a plugin put there.
"""

from __future__ import annotations

import os
import sys

import yaml
from django.core.exceptions import ImproperlyConfigured
from edx_django_utils.plugins import add_plugins

from openedx.core.lib.derived import derive_settings

# Keys the platform merges into the existing value instead of replacing it.
MERGED_KEYS = (
    "FEATURES",
    "TRACKING_BACKENDS",
    "EVENT_TRACKING_BACKENDS",
    "JWT_AUTH",
    "CELERY_QUEUES",
    "REST_FRAMEWORK",
    "EVENT_BUS_PRODUCER_CONFIG",
    "DEFAULT_FILE_STORAGE",
    "STATICFILES_STORAGE",
)


def load_production(module_name: str, project_type: str, config_variable: str) -> None:
    """Apply the production steps to the settings module `module_name`."""
    module = sys.modules[module_name]
    path = os.environ.get(config_variable)
    if not path:
        raise ImproperlyConfigured(f"Set the {config_variable} environment variable")
    with open(path, encoding="utf-8") as handle:
        tokens = yaml.safe_load(handle) or {}
    vars(module).update({key: value for key, value in tokens.items() if key not in MERGED_KEYS})
    for feature, value in (tokens.get("FEATURES") or {}).items():
        module.FEATURES[feature] = value
    module.MIDDLEWARE.extend(tokens.get("EXTRA_MIDDLEWARE_CLASSES", []))
    alternate = tokens.get("ALTERNATE_WORKER_QUEUES", module.ALTERNATE_WORKER_QUEUES)
    if alternate:
        queue = module.DEFAULT_PRIORITY_QUEUE.replace(module.SERVICE_VARIANT, alternate)
        module.CELERY_QUEUES[queue] = {}

    derive_settings(module_name)

    module.ENV_TOKENS = tokens
    module.AUTH_TOKENS = tokens
    add_plugins(module_name, project_type, "production")

    module.ALTERNATE_ENV_TASKS = dict(module.PLATFORM_ALTERNATE_ENV_TASKS)
    module.EXPLICIT_QUEUES = dict(module.PLATFORM_EXPLICIT_QUEUES)
    module.CELERY_IMPORTS.extend(tokens.get("CELERY_EXTRA_IMPORTS", []))
