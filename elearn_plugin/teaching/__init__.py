"""The instructor archive and teaching supervision (P-27, P-30)."""
