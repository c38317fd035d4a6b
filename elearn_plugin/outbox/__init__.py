"""Outbox: messages written in the decision's transaction, delivered exactly once per row."""
