"""Stand-in of openedx-platform `openedx/core/djangoapps/user_authn/views/`."""
