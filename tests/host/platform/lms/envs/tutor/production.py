"""Stand-in of Tutor's `lms/envs/tutor/production.py` (tutor `apps/openedx/settings/lms/`).

Tutor's file is `from lms.envs.production import *` (YAML, derivation, plugin *production*
settings), then its common partials, which end with every Tutor plugin's
`openedx-lms-common-settings` patch, then `openedx-lms-production-settings`. The rest of that
file needs the real platform (modulestore, codejail, ...), so this stand-in runs the same import
and then the elearn-plugin block of a file Tutor really rendered, named by
`ELEARN_HARNESS_TUTOR_SETTINGS`, in this module: the block runs where Tutor puts it.

In the containers `/openedx/config` is Tutor's `env/apps/openedx/config` (a compose bind mount,
the `openedx-config` config map on Kubernetes). `ELEARN_HARNESS_MOUNTS` (JSON: container folder
-> host folder, read from the rendered compose file) maps the paths the block names inside those
folders to the host's copy; the container value is kept in `TUTOR_CONTAINER_PATHS`.
"""

import ast
import json
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from lms.envs.production import *  # noqa: F403

_BLOCK_BEGIN = "# elearn-plugin (tutor-contrib-elearn): begin"
_BLOCK_END = "# elearn-plugin (tutor-contrib-elearn): end"


def _run_rendered_block(namespace: dict) -> dict:
    path = os.environ.get("ELEARN_HARNESS_TUTOR_SETTINGS")
    if not path:
        raise ImproperlyConfigured("Set ELEARN_HARNESS_TUTOR_SETTINGS to a rendered settings file")
    text = Path(path).read_text(encoding="utf-8")
    if text.count(_BLOCK_BEGIN) != 1 or text.count(_BLOCK_END) != 1:
        raise ImproperlyConfigured(f"{path}: expected exactly one elearn-plugin block")
    block = text[text.index(_BLOCK_BEGIN) : text.index(_BLOCK_END)]
    code = compile(block, path, "exec")
    exec(code, namespace)  # noqa: S102 - the settings Tutor rendered, run as Tutor's file runs them
    assigned = [
        target.id
        for node in ast.parse(block).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    mounts = json.loads(os.environ.get("ELEARN_HARNESS_MOUNTS") or "{}")
    container_paths = {}
    for name in assigned:
        value = namespace[name]
        for container, host in mounts.items():
            if isinstance(value, str) and value.startswith(container.rstrip("/") + "/"):
                container_paths[name] = value
                namespace[name] = str(Path(host) / value[len(container.rstrip("/")) + 1 :])
    return container_paths


TUTOR_CONTAINER_PATHS = _run_rendered_block(globals())
