"""Stand-in of openedx-platform `openedx/core/djangoapps/oauth_dispatch/` (the OAuth2 views)."""
