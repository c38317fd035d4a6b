"""Account retirement: erasing one learner's personal data when the host retires the account.

The host's retirement pipeline (openedx-platform `openedx/core/djangoapps/user_api/accounts/
views.py`) tells the plugin through its signals (`elearn_plugin.host.retirement`); the one
writer is `retire_person`. What is erased and what is kept for the archive (P-7) is described
in `docs/retirement.md`.
"""

from elearn_plugin.retirement.services import RETIRED_NAME, retire_person

__all__ = ["RETIRED_NAME", "retire_person"]
