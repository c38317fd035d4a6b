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

import ast
import copy
import json
import os
import sys
from pathlib import Path

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


# Tutor's `lms|cms/envs/tutor/production.py`: the plugin block Tutor rendered, after production.py.
_BLOCK_BEGIN = "# elearn-plugin (tutor-contrib-elearn): begin"
_BLOCK_END = "# elearn-plugin (tutor-contrib-elearn): end"


def run_tutor_plugin_block(namespace: dict) -> dict:
    """Run the elearn-plugin block of the rendered settings file `ELEARN_HARNESS_TUTOR_SETTINGS`
    in `namespace` (where Tutor's file runs it); paths it names under a mounted container
    folder (`ELEARN_HARNESS_MOUNTS`) are mapped to the host's copy. Returns the container
    values of those paths."""
    path = os.environ.get("ELEARN_HARNESS_TUTOR_SETTINGS")
    if not path:
        raise ImproperlyConfigured("Set ELEARN_HARNESS_TUTOR_SETTINGS to a rendered settings file")
    text = Path(path).read_text(encoding="utf-8")
    if text.count(_BLOCK_BEGIN) != 1 or text.count(_BLOCK_END) != 1:
        raise ImproperlyConfigured(f"{path}: expected exactly one elearn-plugin block")
    block = text[text.index(_BLOCK_BEGIN) : text.index(_BLOCK_END)]
    code = compile(block, path, "exec")
    exec(code, namespace)  # noqa: S102 - the settings Tutor rendered, run as Tutor's file runs them
    assigned = [
        target.id
        for node in ast.parse(block).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    mounts = json.loads(os.environ.get("ELEARN_HARNESS_MOUNTS") or "{}")
    container_paths = {}
    for name in assigned:
        value = namespace[name]
        for container, host in mounts.items():
            if isinstance(value, str) and value.startswith(container.rstrip("/") + "/"):
                container_paths[name] = value
                namespace[name] = str(Path(host) / value[len(container.rstrip("/")) + 1 :])
    return container_paths


# `lms/envs/test.py` and `cms/envs/test.py`: test values, plugin *test* settings, derivation.
TEST_VALUES = {
    "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "CELERY_ALWAYS_EAGER": True,
    "CELERY_RESULT_BACKEND": "cache",
    "CELERY_CACHE_BACKEND": "memory",
    "BROKER_URL": "memory://",
}


def load_test(module_name: str, project_type: str) -> None:
    """Apply the test steps to the settings module `module_name`, in the platform's order."""
    module = sys.modules[module_name]
    module.SECRET_KEY = f"{module.SERVICE_VARIANT}-test-secret-key"
    vars(module).update(copy.deepcopy(TEST_VALUES))
    add_plugins(module_name, project_type, "test")
    derive_settings(module_name)
