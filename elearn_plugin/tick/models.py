"""Models of the tick domain."""
