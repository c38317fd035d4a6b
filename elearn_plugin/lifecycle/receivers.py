"""Receivers of the lifecycle's own signals (P-6, P-7), listed in `host.receivers.RECEIVERS`
(as `lifecycle_changed` there, which calls this module's) so the platform connects them
through `signals_config` like the host's signals.

They run after the change committed, with ids only: whatever is cached about the people
concerned (their roles and reach, which a contact's or an officer's departure changes) is
computed again on their next request, on every worker, instead of when a cache expires.
"""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.permissions import invalidate_roles


def lifecycle_changed(sender, user_ids: list[int], when: datetime, **kwargs) -> None:
    """Forget the cached roles of people who moved, left or came back."""
    invalidate_roles(user_ids)


def connect_lifecycle_receivers() -> None:
    """Connect the receivers where no platform does it (the standalone site, the tests);
    the dispatch uid is the one `signals_config` uses, so connecting twice is harmless."""
    from elearn_plugin.host import receivers  # noqa: PLC0415
    from elearn_plugin.lifecycle import signals  # noqa: PLC0415

    for signal in (
        signals.employee_transferred,
        signals.employee_departed,
        signals.employee_rehired,
    ):
        signal.connect(
            receivers.lifecycle_changed,
            dispatch_uid="elearn_plugin.host.receivers.lifecycle_changed",
        )
