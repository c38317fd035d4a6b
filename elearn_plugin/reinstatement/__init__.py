"""Reinstatement of revoked and frozen accounts: an emailed one-time link, the application, HR's decision (P-8, P-23)."""
