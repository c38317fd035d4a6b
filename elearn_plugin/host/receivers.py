"""Receivers of host signals, wired by dotted path through `plugin_app["signals_config"]`.

Each entry names a receiver function in this module, the dotted path of the signal and the
projects it applies to. A signal that lives in the platform's own code (retirement signals
in `openedx.core...`) is listed only when that top-level package exists, so the standalone
site and the test suite load the same configuration without the platform.
"""

from importlib.util import find_spec

# (receiver function name, signal dotted path, projects)
RECEIVERS: list[tuple[str, str, tuple[str, ...]]] = []


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
