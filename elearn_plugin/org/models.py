"""Models of the org domain."""
