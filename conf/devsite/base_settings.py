"""What the standalone site and the unit-test settings add to the stand-in LMS settings.

Both start from the stand-in platform's settings (`tests/host/platform/lms/envs/`), so the
plugin is discovered, configured and derived exactly as in Open edX; this module holds only
the paths the standalone pages need.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# The stand-in sign-in page and the home page of the standalone site.
DEVSITE_TEMPLATES = str(ROOT / "conf" / "devsite" / "templates")
