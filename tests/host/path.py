"""Put the stand-in platform tree (`tests/host/platform`) on `sys.path`."""

import sys
from pathlib import Path

PLATFORM_ROOT = str(Path(__file__).resolve().parent / "platform")


def add_platform() -> str:
    """Make `lms`, `cms`, `openedx`, `common`, `xmodule` importable as the platform's are."""
    if PLATFORM_ROOT not in sys.path:
        sys.path.insert(0, PLATFORM_ROOT)
    return PLATFORM_ROOT
