"""The standalone site as the browser tests run it: fresh SQLite, the workbench, demo media."""

from conf.devsite.settings import *  # noqa: F403
from conf.devsite.settings import ROOT

DEBUG = True
# The plugin's migrations are generated once at merge time; build its tables directly.
MIGRATION_MODULES = {"elearn_plugin": None}
STATICFILES_DIRS = [("elearn-demo", str(ROOT / "tests" / "e2e" / "media"))]
WORKBENCH = {"reset_state_on_restart": False, "services": {}}
# Concurrent requests (a keepalive report while the next page starts a session) must wait for
# the write lock instead of failing with "database is locked".
DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}  # noqa: F405
