"""Stand-in of openedx-platform `openedx/core/djangoapps/safe_sessions`."""
