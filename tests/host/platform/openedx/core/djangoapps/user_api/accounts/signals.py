"""Stand-in of openedx-platform `openedx/core/djangoapps/user_api/accounts/signals.py`.

The same three plain Django signals, under the same names. Upstream, `accounts/views.py`
sends them from the retirement pipeline: `AccountRetirementView.post` sends
`USER_RETIRE_LMS_CRITICAL` with `user`, `retired_username` and `retired_email`;
`LMSAccountRetirementView.post` sends `USER_RETIRE_LMS_MISC` with `user`, then
`USER_RETIRE_MAILINGS` with `email`, `new_email` and `user`.
"""

from django.dispatch import Signal

# Signal to retire a user from LMS-initiated mailings (course mailings, etc)
# providing_args=["user"] (the view also sends "email" and "new_email")
USER_RETIRE_MAILINGS = Signal()

# Signal to retire LMS critical information
# providing_args=["user", "retired_username", "retired_email"]
USER_RETIRE_LMS_CRITICAL = Signal()

# Signal to retire LMS misc information
# providing_args=["user"]
USER_RETIRE_LMS_MISC = Signal()
