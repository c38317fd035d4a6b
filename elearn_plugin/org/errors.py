"""The org domain's error (a leaf module: the writers and provisioning raise it)."""


class OrgError(ValueError):
    """Invalid organisation change; the message is safe to show (no personal data)."""
