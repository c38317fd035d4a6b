"""The harness's Studio tests run only in the Studio-settings pytest call.

One process loads one Django settings module: `tests/host/cms/` is collected only under
`--ds=tests.settings_cms` (make test runs both calls), everything else under the LMS settings.
"""

from pathlib import Path

from django.conf import settings

_CMS_DIR = Path(__file__).resolve().parent / "cms"


def pytest_ignore_collect(collection_path, config):
    in_cms_dir = _CMS_DIR in Path(collection_path).resolve().parents or (
        Path(collection_path).resolve() == _CMS_DIR
    )
    is_cms = getattr(settings, "SERVICE_VARIANT", "lms") == "cms"
    if in_cms_dir and not is_cms:
        return True
    return None
