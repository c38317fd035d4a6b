"""Tick jobs recovering course completions from the host's persisted grades (P-17)."""
