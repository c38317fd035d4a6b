"""The periodic jobs and the health hooks, registered by the domains that own them.

A job is `fn(now) -> dict`: it does everything that is due at `now` and not yet done
(catch-up safe), so a missed or repeated tick loses and doubles nothing. Domains register
jobs in a `jobs` module (`elearn_plugin/<domain>/jobs.py`), found by `discover_jobs()`.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Callable
from datetime import datetime

Job = Callable[[datetime], dict]
JOBS: dict[str, Job] = {}
# Each hook returns the labels of periods that have ended but are not closed yet
# (month close adds one); the health report lists them.
UNCLOSED_PERIOD_HOOKS: list[Callable[[datetime], list[str]]] = []
# Each hook returns problem codes of its domain for the health report (a held month close).
PROBLEM_HOOKS: list[Callable[[datetime], list[str]]] = []
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,47}$")
_discovered = False


def register_job(name: str) -> Callable[[Job], Job]:
    """Decorator: run `fn(now)` on every tick under the lock of `name`."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"job name {name!r} must be lower-case letters, digits, _ . -")

    def decorator(fn: Job) -> Job:
        known = JOBS.get(name)
        if known is not None and _qualname(known) != _qualname(fn):
            raise ValueError(f"job {name!r} is already registered by {_qualname(known)}")
        JOBS[name] = fn
        return fn

    return decorator


def register_unclosed_periods(hook: Callable[[datetime], list[str]]) -> Callable:
    """Add a health hook listing ended periods that are not closed yet."""
    if hook not in UNCLOSED_PERIOD_HOOKS:
        UNCLOSED_PERIOD_HOOKS.append(hook)
    return hook


def register_health_problems(hook: Callable[[datetime], list[str]]) -> Callable:
    """Add a health hook returning problem codes (e.g. `month_close_held:2026-10`)."""
    if hook not in PROBLEM_HOOKS:
        PROBLEM_HOOKS.append(hook)
    return hook


def _qualname(fn: Callable) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def discover_jobs() -> dict[str, Job]:
    """Import every `elearn_plugin.<domain>.jobs` module once; returns the registry."""
    global _discovered
    if not _discovered:
        package = importlib.import_module("elearn_plugin")
        for info in pkgutil.iter_modules(package.__path__):
            if info.ispkg and importlib.util.find_spec(f"elearn_plugin.{info.name}.jobs"):
                importlib.import_module(f"elearn_plugin.{info.name}.jobs")
        _discovered = True
    return JOBS
