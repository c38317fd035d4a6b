"""Choice between the Open edX implementation of a host adapter and the standalone fake."""

from django.core.exceptions import ImproperlyConfigured

from elearn_plugin.conf import setting

PLATFORM = "platform"
FAKE = "fake"


def adapter_kind() -> str:
    """`ELEARN_HOST_ADAPTERS`, read at call time: "platform" inside Open edX, "fake" elsewhere."""
    kind = setting("ELEARN_HOST_ADAPTERS")
    if kind not in (PLATFORM, FAKE):
        raise ImproperlyConfigured(
            f'ELEARN_HOST_ADAPTERS must be "{PLATFORM}" or "{FAKE}", not {kind!r}.'
        )
    return kind
