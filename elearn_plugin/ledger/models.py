"""Models of the ledger domain."""
