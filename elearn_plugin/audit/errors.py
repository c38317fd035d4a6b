"""Errors of the audit domain."""


class AuditError(ValueError):
    """A change that cannot be attributed or described safely; nothing was written."""
