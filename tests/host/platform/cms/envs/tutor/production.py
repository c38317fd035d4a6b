"""Stand-in of Tutor's `cms/envs/tutor/production.py` (tutor `apps/openedx/settings/cms/`).

Tutor's file is `from cms.envs.production import *` (YAML, derivation, plugin *production*
settings), then its common partials, which end with every Tutor plugin's
`openedx-cms-common-settings` patch, then `openedx-cms-production-settings`. The rest of that
file needs the real platform (modulestore, codejail, ...), so this stand-in runs the same import
and then the elearn-plugin block of a file Tutor really rendered, named by
`ELEARN_HARNESS_TUTOR_SETTINGS`, in this module: the block runs where Tutor puts it.

In the containers `/openedx/config` is Tutor's `env/apps/openedx/config` (a compose bind mount,
the `openedx-config` config map on Kubernetes). `ELEARN_HARNESS_MOUNTS` (JSON: container folder
-> host folder, read from the rendered compose file) maps the paths the block names inside those
folders to the host's copy; the container value is kept in `TUTOR_CONTAINER_PATHS`.
"""

from openedx.envs.loading import run_tutor_plugin_block

from cms.envs.production import *  # noqa: F403

TUTOR_CONTAINER_PATHS = run_tutor_plugin_block(globals())
