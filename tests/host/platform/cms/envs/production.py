"""Stand-in of openedx-platform `cms/envs/production.py` (steps in `openedx.envs.loading`)."""

from openedx.envs.loading import load_production

from cms.envs.common import *  # noqa: F403

# Studio sets its router in production.py, before the YAML is read.
CELERY_ROUTES = "openedx.core.lib.celery.routers.route_task"

load_production(__name__, "cms.djangoapp", "CMS_CFG")
