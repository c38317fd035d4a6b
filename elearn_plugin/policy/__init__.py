"""The policy file: YAML -> frozen dataclasses, validated at start.

`schema` and `loader` are pure (no Django); `runtime` reads the site's configured file.
"""

from __future__ import annotations

from typing import Any

from elearn_plugin.policy.schema import Policy, PolicyError, PolicyNotConfigured, PolicyProblem

__all__ = [
    "Policy",
    "PolicyError",
    "PolicyNotConfigured",
    "PolicyProblem",
    "get_policy",
    "load_configured_policy",
    "load_policy",
    "parse_policy",
    "reset_policy_cache",
]

_LOADER = ("load_policy", "parse_policy")
_RUNTIME = ("get_policy", "load_configured_policy", "reset_policy_cache")


def __getattr__(name: str) -> Any:
    # Imported on use so that the pure modules never pull in Django through this package.
    if name in _LOADER:
        from elearn_plugin.policy import loader  # noqa: PLC0415

        return getattr(loader, name)
    if name in _RUNTIME:
        from elearn_plugin.policy import runtime  # noqa: PLC0415

        return getattr(runtime, name)
    raise AttributeError(f"module 'elearn_plugin.policy' has no attribute {name!r}")
