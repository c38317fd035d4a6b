"""Stand-in of openedx-platform `openedx/core/djangoapps/plugins`."""
