"""Stand-in of openedx-platform `lms/envs/production.py` (steps in `openedx.envs.loading`)."""

from openedx.envs.loading import load_production

from lms.envs.common import *  # noqa: F403

load_production(__name__, "lms.djangoapp", "LMS_CFG")
