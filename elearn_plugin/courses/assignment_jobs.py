"""Tick jobs applying the job roles' assignment rules (P-14, P-15)."""
