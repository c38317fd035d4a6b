"""Stand-in of openedx-platform `cms/celery.py`: the workers' `--app=cms.celery`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.envs.production")

from openedx.core.lib.celery import APP  # noqa: E402, F401
