"""The policy file: YAML -> frozen dataclasses, validated at start (placeholder API)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}"


class PolicyError(Exception):
    def __init__(self, problems: list[PolicyProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class PolicyNotConfigured(Exception):
    """The policy is missing or invalid: plugin actions answer 'not configured'."""


def load_configured_policy(use_cache: bool = True):
    return None
