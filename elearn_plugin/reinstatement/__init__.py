"""Reinstatement of revoked and frozen accounts (P-8, P-23): an emailed one-time link, the
application, HR's decision."""
