"""Stand-in of openedx-platform `openedx/core/djangoapps/lang_pref/__init__.py`.

The platform keeps a learner's chosen language as the `UserPreference` under this key.
"""

LANGUAGE_KEY = "pref-lang"
