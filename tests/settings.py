"""Unit-test settings: the stand-in LMS's `lms.envs.test`, loaded as the platform loads it.

`lms/envs/common.py` lists the plugin apps with `get_plugin_apps` and runs their *common*
settings while LOCALE_PATHS and the Celery defaults are still `Derived`; `lms/envs/test.py`
runs the *test* settings and derives. What follows is only what a test run needs (in-memory
database, the standalone adapters, the stand-in sign-in page's templates).
"""

import os
import tempfile

from tests.host.path import add_platform

add_platform()

from lms.envs.test import *  # noqa: E402, F403

from conf.devsite.base_settings import DEVSITE_TEMPLATES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
# Files the tests upload go to a folder of this run, not into the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="elearn-test-media-")
TEMPLATES[0]["DIRS"].append(DEVSITE_TEMPLATES)  # noqa: F405
ELEARN_HOST_ADAPTERS = "fake"  # no modulestore or enrolment here: in-memory stand-ins

if os.environ.get("ELEARN_TEST_POLICY_FILE"):
    ELEARN_POLICY_FILE = os.environ["ELEARN_TEST_POLICY_FILE"]
