"""Stand-in of openedx-platform `openedx/core/djangoapps/oauth_dispatch/dot_overrides/`."""
