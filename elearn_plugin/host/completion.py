"""Telling the host that a block is complete, after this plugin has verified it (P-17).

The host's BlockCompletion feeds its progress bars and outline checkmarks; it is forgeable
by learners, so the plugin only writes it and never reads it for decisions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey

from elearn_plugin.host.adapters import FAKE, adapter_kind

log = logging.getLogger(__name__)


class CompletionAdapter(Protocol):
    def submit(self, user, block_key: str, completion: float) -> bool: ...


def _checked(block_key: object, completion: object) -> tuple[UsageKey, float]:
    if isinstance(block_key, UsageKey):
        key = block_key
    else:
        try:
            key = UsageKey.from_string(str(block_key))
        except InvalidKeyError:
            raise ValueError(f"Not a block usage key: {str(block_key)[:120]!r}")
    if isinstance(completion, bool) or not isinstance(completion, int | float):
        raise ValueError("completion must be a number between 0.0 and 1.0")
    value = float(completion)
    if not 0.0 <= value <= 1.0:
        raise ValueError("completion must be a number between 0.0 and 1.0")
    return key, value


class PlatformCompletionAdapter:
    """edx-completion's BlockCompletion, as the LMS's own completion service writes it."""

    def submit(self, user, block_key: str, completion: float) -> bool:
        """Write the host's completion; False when the host has completion tracking off."""
        key, value = _checked(block_key, completion)
        from completion.models import BlockCompletion  # noqa: PLC0415
        from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH  # noqa: PLC0415

        if not ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled():
            # submit_completion raises when tracking is off; our own record is what counts.
            log.info("Host completion tracking is off; block %s not reported", key)
            return False
        BlockCompletion.objects.submit_completion(user=user, block_key=key, completion=value)
        return True


@dataclass
class FakeCompletionAdapter:
    """Standalone site and tests: remembers what would have been sent to the host."""

    calls: list[tuple[int, str, float]] = field(default_factory=list)

    def submit(self, user, block_key: str, completion: float) -> bool:
        key, value = _checked(block_key, completion)
        self.calls.append((user.pk, str(key), value))
        return True

    def clear(self) -> None:
        self.calls.clear()


_FAKE = FakeCompletionAdapter()


def get_completion_adapter() -> CompletionAdapter:
    """The adapter chosen by `ELEARN_HOST_ADAPTERS`."""
    return _FAKE if adapter_kind() == FAKE else PlatformCompletionAdapter()
