"""The sync of the organisation's people with the HR system's roster (P-2, P-6, P-7)."""
