"""Pure policy decisions: plain data in, decisions out. No Django, no I/O (import contract)."""
