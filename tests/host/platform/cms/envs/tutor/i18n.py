"""Stand-in of Tutor's `cms/envs/tutor/i18n.py` (tutor `build/openedx/settings/cms/i18n.py`).

Tutor's image build runs `compilemessages` and the plugin translation commands with these:
the *common* settings only (no YAML, no production plugin settings), placeholders for what a
build cannot know, then `derive_settings`.
"""

from openedx.core.lib.derived import derive_settings

from cms.envs.common import *  # noqa: F403

SECRET_KEY = "i18n_secret_key"
DATABASES = {"default": {}}
LMS_ROOT_URL = "https://lms.local"

derive_settings(__name__)
