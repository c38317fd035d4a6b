"""Account lifecycle: transfer, departure and re-hire (P-6, P-7)."""
