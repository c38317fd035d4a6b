"""Stand-in of openedx-platform `openedx/core/djangoapps/user_api/accounts/`."""
