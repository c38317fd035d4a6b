"""Receivers of host signals, wired by dotted path through `plugin_app["signals_config"]`.

Each entry names a receiver function in this module, the dotted path of the signal and the
projects it applies to. A signal that lives in the platform's own code (retirement signals
in `openedx.core...`) is listed only when that top-level package exists, so the standalone
site and the test suite load the same configuration without the platform.
"""

from importlib.util import find_spec

# (receiver function name, signal dotted path, projects)
RECEIVERS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "builtin_video_published",
        "openedx_events.content_authoring.signals.XBLOCK_PUBLISHED",
        ("cms.djangoapp",),
    ),
]


def _importable(dotted: str) -> bool:
    return find_spec(dotted.split(".", 1)[0]) is not None


def receivers_for(project: str) -> list[dict]:
    """The `receivers` list of signals_config for one project type."""
    return [
        {
            "receiver_func_name": func,
            "signal_path": signal,
            "dispatch_uid": f"elearn_plugin.host.receivers.{func}",
        }
        for func, signal, projects in RECEIVERS
        if project in projects and _importable(signal)
    ]


def builtin_video_published(sender=None, xblock_info=None, **kwargs) -> None:
    """Studio: a built-in `video` was published; list it if its course is required (P-17)."""
    if xblock_info is None or getattr(xblock_info, "block_type", "") != "video":
        return
    from elearn_plugin.video.services import scan_builtin_videos  # noqa: PLC0415

    course_key = str(getattr(xblock_info.usage_key, "course_key", ""))
    if course_key:
        scan_builtin_videos([course_key])
