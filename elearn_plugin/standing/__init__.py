"""Standing: warnings, suspensions, revocations, freezes and their enforcement (P-8)."""
