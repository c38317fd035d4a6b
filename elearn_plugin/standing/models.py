"""Models of the standing domain."""
