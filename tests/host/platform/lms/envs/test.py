"""Stand-in of openedx-platform `lms/envs/test.py`: plugin *test* settings, then derivation
(steps in `openedx.envs.loading.load_test`)."""

from openedx.envs.loading import load_test

from lms.envs.common import *  # noqa: F403

load_test(__name__, "lms.djangoapp")
