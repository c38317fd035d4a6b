"""For `make messages` only: extraction from the repository root sends every string (the
plugin's and the standalone pages') to the plugin's catalogue. At run time Django finds that
catalogue as the installed app's `locale/`, so the site's own settings name no LOCALE_PATHS."""

from conf.devsite.settings import *  # noqa: F403
from conf.devsite.settings import ROOT

LOCALE_PATHS = [str(ROOT / "elearn_plugin" / "locale")]
