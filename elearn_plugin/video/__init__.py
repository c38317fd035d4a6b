"""Tracked video: watch sessions, verified progress and completion records (P-17)."""
