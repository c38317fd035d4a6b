"""Models of the outbox domain."""
