"""Stand-in of openedx-platform `lms/envs/common.py`, in the order a plugin meets it.

Besides the plugin hook: the OAuth2 provider (django-oauth-toolkit, with the platform's
`EdxOAuth2Validator`), the grades app (`lms.djangoapps.grades.apps.GradesConfig`), `crum` in
MIDDLEWARE, the authentication backends, and the login
failure-counting values, as the LMS's common settings define them.

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

# django-oauth-toolkit, the LMS's OAuth2 provider (`INSTALLED_APPS`), with the platform's
# validator class; `crum` sits near the top of the LMS's MIDDLEWARE ("Used by custom
# django-rules predicates"); the authentication backends are a plain list (upstream: the
# rules and bridgekeeper permission backends around the password backend).
INSTALLED_APPS.append("oauth2_provider")  # noqa: F405
# The LMS's grades app (persisted course grades); Studio does not install it.
INSTALLED_APPS.append("lms.djangoapps.grades.apps.GradesConfig")  # noqa: F405
# Notes (`lms.djangoapps.edxnotes`): the LMS's feature flag, off unless the operator turns it
# on; the app itself is added only where a test loads the LMS with Notes.
ENABLE_EDXNOTES = False
# The LMS's course overviews: the row of every course it has (the restore check reads it).
INSTALLED_APPS.append(  # noqa: F405
    "openedx.core.djangoapps.content.course_overviews.apps.CourseOverviewsConfig"
)
# The LMS's user API app: the learners' preferences, their language among them.
INSTALLED_APPS.append("openedx.core.djangoapps.user_api.apps.UserApiConfig")  # noqa: F405
MIDDLEWARE.insert(0, "crum.CurrentRequestUserMiddleware")  # noqa: F405
AUTHENTICATION_BACKENDS = [
    "openedx.core.djangoapps.oauth_dispatch.dot_overrides.backends."
    "EdxRateLimitedAllowAllUsersModelBackend",
]
OAUTH2_DEFAULT_SCOPES = {
    "read": "Read access",
    "write": "Write access",
    "email": "Know your email address",
    "profile": "Know your name and username",
}
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": (
        "openedx.core.djangoapps.oauth_dispatch.dot_overrides.validators.EdxOAuth2Validator"
    ),
    # 3 months; the platform expires refresh tokens with edx_clear_expired_tokens.
    "REFRESH_TOKEN_EXPIRE_SECONDS": 7776000,
    "SCOPES": dict(OAUTH2_DEFAULT_SCOPES, user_id="Know your user identifier"),
    "DEFAULT_SCOPES": OAUTH2_DEFAULT_SCOPES,
    "REQUEST_APPROVAL_PROMPT": "auto_even_if_expired",
    "ERROR_RESPONSE_WITH_SCOPES": True,
}
# Non-revocable JWTs (openedx/envs/common.py JWT_AUTH; oauth_dispatch/jwt.py).
JWT_ACCESS_TOKEN_EXPIRE_SECONDS = 60 * 60
# Failed-login counting (LoginFailures) and the hosts a login may redirect to.
ENABLE_MAX_FAILED_LOGIN_ATTEMPTS = True
MAX_FAILED_LOGIN_ATTEMPTS_ALLOWED = 6
MAX_FAILED_LOGIN_ATTEMPTS_LOCKOUT_PERIOD_SECS = 30 * 60
LOGIN_REDIRECT_WHITELIST: list[str] = []
SHARED_COOKIE_DOMAIN = None

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
