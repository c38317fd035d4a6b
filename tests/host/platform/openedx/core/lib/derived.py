"""Stand-in of openedx-platform `openedx/core/lib/derived.py`, written from its behaviour.

A setting may hold `Derived(fn)`; `derive_settings(module_name)` replaces every such value,
at any depth of the module's upper-case settings, by `fn(settings_module)`. Until then the value
is a `Derived` object: a plugin's *common* settings run while it still is one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class Derived(Generic[T]):
    """A value computed from the final settings module, after every override was applied."""

    def __init__(self, calculate_value: Callable[[Any], T]) -> None:
        self.calculate_value = calculate_value


def derive_settings(module_name: str) -> None:
    """Resolve every `Derived` in the settings module `module_name` (dicts and lists in place)."""
    module = sys.modules[module_name]
    for key, value in list(vars(module).items()):
        if _SETTING_NAME.match(key):
            setattr(module, key, _derive(value, module))


def _derive(value: Any, module: Any) -> Any:
    if isinstance(value, Derived):
        return value.calculate_value(module)
    if isinstance(value, dict):
        for key, item in list(value.items()):
            value[key] = _derive(item, module)
        return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _derive(item, module)
        return value
    if isinstance(value, tuple):
        return type(value)(_derive(item, module) for item in value)
    return value
