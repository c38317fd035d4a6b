"""Choice between the Open edX implementation of a host adapter and the standalone fake."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PLATFORM = "platform"
FAKE = "fake"


def adapter_kind() -> str:
    """`ELEARN_HOST_ADAPTERS`, read at call time: "platform" inside Open edX, "fake" elsewhere."""
    kind = getattr(settings, "ELEARN_HOST_ADAPTERS", PLATFORM)
    if kind not in (PLATFORM, FAKE):
        raise ImproperlyConfigured(
            f'ELEARN_HOST_ADAPTERS must be "{PLATFORM}" or "{FAKE}", not {kind!r}.'
        )
    return kind
