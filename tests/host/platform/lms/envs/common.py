"""Stand-in of openedx-platform `lms/envs/common.py`, in the order a plugin meets it.

The plugin block (`INSTALLED_APPS.extend(get_plugin_apps(...))`, then
`add_plugins(__name__, ProjectType.LMS, SettingsType.COMMON)`) sits near the end of the file,
before `derive_settings` (which only production.py / test.py call), and a few settings are
assigned after it.
"""

from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps
from openedx.envs.common import *  # noqa: F403
from openedx.envs.common import fresh_collections

# The platform defines these lists and dicts in this file: never shared with the other project's.
globals().update(fresh_collections())

SERVICE_VARIANT = "lms"
PROJECT_ROOT = str(Path(__file__).resolve().parents[1])

HIGH_PRIORITY_QUEUE = f"edx.{SERVICE_VARIANT}.core.high"
DEFAULT_PRIORITY_QUEUE = f"edx.{SERVICE_VARIANT}.core.default"
HIGH_MEM_QUEUE = f"edx.{SERVICE_VARIANT}.core.high_mem"
CELERY_QUEUES = {HIGH_PRIORITY_QUEUE: {}, DEFAULT_PRIORITY_QUEUE: {}, HIGH_MEM_QUEUE: {}}
ALTERNATE_WORKER_QUEUES = "cms"
CELERY_ROUTES = "openedx.core.lib.celery.routers.route_task"
# Assigned by production.py *after* the plugins' production settings.
PLATFORM_ALTERNATE_ENV_TASKS: dict = {}
PLATFORM_EXPLICIT_QUEUES = {
    "lms.djangoapps.bulk_email.tasks.send_course_email": {"queue": HIGH_PRIORITY_QUEUE},
}

############## Plugin Django Apps #########################

INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))  # noqa: F405
add_plugins(__name__, "lms.djangoapp", "common")

# Assigned after the plugin hook: a plugin's common value for these would be lost.
MFE_CONFIG: dict = {}
MFE_CONFIG_OVERRIDES: dict = {}
