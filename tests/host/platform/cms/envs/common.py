"""Stand-in of openedx-platform `cms/envs/common.py`, in the order a plugin meets it.

The plugin block (`INSTALLED_APPS.extend(get_plugin_apps(...))`, then
`add_plugins(__name__, ProjectType.CMS, SettingsType.COMMON)`) sits near the end of the file,
before `derive_settings` (which only production.py / test.py call), and a few settings are
assigned after it.
"""

from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps
from openedx.envs.common import *  # noqa: F403
from openedx.envs.common import fresh_collections

# The platform defines these lists and dicts in this file: never shared with the other project's.
globals().update(fresh_collections())

# Studio installs django-oauth-toolkit too ("apps that aren't strictly needed by Studio, but
# are imported by other apps that are") and has the same password backend.
INSTALLED_APPS.append("oauth2_provider")  # noqa: F405
AUTHENTICATION_BACKENDS = [
    "openedx.core.djangoapps.oauth_dispatch.dot_overrides.backends."
    "EdxRateLimitedAllowAllUsersModelBackend",
]

SERVICE_VARIANT = "cms"
PROJECT_ROOT = str(Path(__file__).resolve().parents[1])

HIGH_PRIORITY_QUEUE = f"edx.{SERVICE_VARIANT}.core.high"
DEFAULT_PRIORITY_QUEUE = f"edx.{SERVICE_VARIANT}.core.default"
LOW_PRIORITY_QUEUE = f"edx.{SERVICE_VARIANT}.core.low"
CELERY_QUEUES = {HIGH_PRIORITY_QUEUE: {}, DEFAULT_PRIORITY_QUEUE: {}, LOW_PRIORITY_QUEUE: {}}
ALTERNATE_WORKER_QUEUES = "lms"
# Assigned by production.py *after* the plugins' production settings: Studio sends these few
# platform tasks to the LMS workers; every other task stays on Studio's default queue.
PLATFORM_ALTERNATE_ENV_TASKS = {
    "openedx.core.djangoapps.content.block_structure.tasks.update_course_in_cache_v2": "lms",
}
PLATFORM_EXPLICIT_QUEUES: dict = {}

############## Plugin Django Apps #########################

INSTALLED_APPS.extend(get_plugin_apps("cms.djangoapp"))  # noqa: F405
add_plugins(__name__, "cms.djangoapp", "common")

# Assigned after the plugin hook: a plugin's common value for these would be lost.
PROCTORING_SETTINGS: dict = {}
