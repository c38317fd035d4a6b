"""The plugin's URLs as the LMS mounts them: `get_plugin_url_patterns` in `lms/urls.py`.

Mirrors openedx-platform `lms/urls.py` (stand-in in tests/host/platform) and edx-django-utils
`plugins/plugin_urls.py`: `re_path(<url_config regex>, include((module, app_config.name),
namespace=<url_config namespace>))`, so names are `elearn:...` under `/elearn/`.
"""

from django.urls import get_resolver, resolve, reverse


def test_plugin_patterns_come_from_the_plugin_machinery():
    mounted = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "elearn"]
    assert len(mounted) == 1
    assert mounted[0].pattern.regex.pattern == "^elearn/"
    assert mounted[0].app_name == "elearn_plugin"


def test_names_resolve_under_the_mount():
    for name in ("video-report", "health", "standing-me"):
        path = reverse(f"elearn:{name}")
        assert path.startswith("/elearn/"), path
        assert resolve(path).namespace == "elearn"


def test_other_plugins_are_mounted_beside_it():
    # edx-completion is a plugin of the LMS too: the same machinery mounts it.
    assert reverse("completion:v1:completion-batch").startswith("/api/completion/")
