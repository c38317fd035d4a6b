"""Tick jobs of the courses domain: completion catch-up and assignment rules (P-14, P-17)."""

from elearn_plugin.courses import assignment_jobs, completion_jobs  # noqa: F401 (register jobs)
