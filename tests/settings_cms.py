"""Studio-side test settings: the stand-in `cms.envs.test`, with what tests/settings.py adds.

The harness's Studio tests (`tests/host/cms/`) run in their own pytest call with these, since
one process loads one Django settings module: `pytest tests/host/cms --ds=tests.settings_cms`.
"""

import os

from tests.host.path import add_platform

add_platform()

from cms.envs.test import *  # noqa: E402, F403

from conf.devsite.base_settings import DEVSITE_TEMPLATES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
TEMPLATES[0]["DIRS"].append(DEVSITE_TEMPLATES)  # noqa: F405
ELEARN_HOST_ADAPTERS = "fake"

if os.environ.get("ELEARN_TEST_POLICY_FILE"):
    ELEARN_POLICY_FILE = os.environ["ELEARN_TEST_POLICY_FILE"]
