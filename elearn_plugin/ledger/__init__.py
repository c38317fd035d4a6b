"""Ledger: append-only credits and contribution points (P-20, P-12)."""
