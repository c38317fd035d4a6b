"""Reading the plugin's settings: the operator's value, else the one default of `DEFAULTS`.

Read at call time, never at import (the platform's settings are not final then).
"""

from __future__ import annotations

import copy

from django.conf import settings

from elearn_plugin.settings.defaults import DEFAULTS


def setting(name: str):
    """The value of one `ELEARN_*` setting; an unknown name is a programming error."""
    if name not in DEFAULTS:
        raise KeyError(f"{name} is not a setting of elearn-plugin (settings/defaults.py)")
    value = getattr(settings, name, DEFAULTS[name])
    return copy.copy(value) if isinstance(value, (list, dict)) else value
