"""Stand-in of openedx-platform `openedx/core/djangoapps/user_api` (app label `user_api`)."""
