"""Stand-in of openedx-platform `lms/celery.py`: the workers' `--app=lms.celery`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.envs.production")

from openedx.core.lib.celery import APP  # noqa: E402, F401
