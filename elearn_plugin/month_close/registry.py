"""Other domains react to a closed month here (`on_month_closed`), as rankings and reports do.

A hook is `fn(close)` with the `MonthClose` row just marked closed. It runs inside the
closing transaction, so what it writes commits with the close or not at all; it must be
keyed like every consequence (a re-run of a failed close calls it again).
"""

from __future__ import annotations

from collections.abc import Callable

MonthClosedHook = Callable[[object], None]
_HOOKS: list[MonthClosedHook] = []


def on_month_closed(fn: MonthClosedHook) -> MonthClosedHook:
    """Decorator: call `fn(close)` in the transaction that closes each month."""
    if not callable(fn):
        raise TypeError("on_month_closed needs a callable taking the closed month")
    if fn not in _HOOKS:
        _HOOKS.append(fn)
    return fn


def remove_hook(fn: MonthClosedHook) -> None:
    """Forget a hook (tests that register their own)."""
    if fn in _HOOKS:
        _HOOKS.remove(fn)


def run_hooks(close: object) -> None:
    """Call every hook in the order registered; an exception rolls the close back."""
    for hook in list(_HOOKS):
        hook(close)
