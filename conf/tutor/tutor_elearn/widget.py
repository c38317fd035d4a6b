"""The learner's "My training" widget in the learner dashboard (tutor-mfe's legacy MFE, the
one Tutor 21 and 22 enable by default).

The operator names the package as it exists at build time, like the Python package:
`ELEARN_WIDGET_TARBALL` (the file `npm pack` made of frontend/my-training, copied into the
MFE images' build context) or `ELEARN_WIDGET_NPM` (an npm spec). Every MFE image installs it
after its own `npm clean-install`, since tutor-mfe's env.config.jsx (with the import) is
shared by all of them; the widget is registered only in the learner dashboard's sidebar slot,
through tutor-mfe's PLUGIN_SLOTS. Without either setting nothing is installed and the slot's
entry renders nothing.
"""

from __future__ import annotations

import re
import shlex
import typing as t

from tutor import hooks

from tutor_elearn.plugin import _fail, _operator_file

SLOT = "org.openedx.frontend.learner_dashboard.widget_sidebar.v1"
TARBALL_NAME = re.compile(r"elearn-plugin-my-training-[0-9][A-Za-z0-9.+-]*\.tgz")
PACKAGE = "@elearn-plugin/my-training"
# `typeof` of an undeclared name is "undefined": without the package the entry renders nothing.
WIDGET = (
    "{ op: PLUGIN_OPERATIONS.Insert, widget: { id: 'elearn_my_training', "
    "type: DIRECT_PLUGIN, priority: 10, RenderWidget: (typeof ElearnMyTraining === "
    "'undefined' ? () => null : ElearnMyTraining) } }"
)


def widget_tarball(value: t.Any, spec: t.Any = "") -> str:
    """Jinja filter: the file name of the widget's `npm pack` file, after checking it."""
    if spec:
        _fail(
            "ELEARN_WIDGET_TARBALL",
            value,
            "set ELEARN_WIDGET_TARBALL or ELEARN_WIDGET_NPM, not both",
        )
    path = _operator_file("ELEARN_WIDGET_TARBALL", value)
    if not TARBALL_NAME.fullmatch(path.name):
        _fail(
            "ELEARN_WIDGET_TARBALL",
            value,
            "not the widget's npm pack file (elearn-plugin-my-training-VERSION.tgz)",
        )
    if path.read_bytes()[:2] != b"\x1f\x8b":
        _fail("ELEARN_WIDGET_TARBALL", value, "not an npm pack file: not gzip-compressed")
    return path.name


def npm_spec(value: t.Any) -> str:
    """Jinja filter: the npm spec, shell-quoted for the Dockerfile's RUN line."""
    text = str(value).strip()
    if not text or "\n" in text or "\r" in text:
        _fail("ELEARN_WIDGET_NPM", value, "one npm spec on one line")
    return shlex.quote(text)


hooks.Filters.ENV_TEMPLATE_FILTERS.add_items(
    [("elearn_widget_tarball", widget_tarball), ("elearn_npm_spec", npm_spec)]
)

INSTALL = """{%- if ELEARN_WIDGET_TARBALL %}
{%- set tarball = ELEARN_WIDGET_TARBALL|elearn_widget_tarball(ELEARN_WIDGET_NPM) %}
# elearn-plugin (tutor-contrib-elearn): the "My training" widget
COPY elearn/{{ tarball }} /openedx/elearn-my-training.tgz
RUN npm install --no-save --no-audit --no-fund /openedx/elearn-my-training.tgz
{%- elif ELEARN_WIDGET_NPM %}
# elearn-plugin (tutor-contrib-elearn): the "My training" widget
RUN npm install --no-save --no-audit --no-fund {{ ELEARN_WIDGET_NPM|elearn_npm_spec }}
{%- endif %}"""

IMPORT = (
    """{%- if ELEARN_WIDGET_TARBALL or ELEARN_WIDGET_NPM %}
import { MyTrainingSidebar as ElearnMyTraining } from '"""
    + PACKAGE
    + """';
{%- endif %}"""
)

hooks.Filters.ENV_PATCHES.add_items(
    [
        ("mfe-dockerfile-post-npm-install", INSTALL),
        ("mfe-env-config-buildtime-imports", IMPORT),
    ]
)

try:
    from tutormfe.hooks import PLUGIN_SLOTS
except ImportError:  # tutor-mfe is not installed: no learner dashboard to add to
    PLUGIN_SLOTS = None

if PLUGIN_SLOTS is not None:
    PLUGIN_SLOTS.add_item(("learner-dashboard", SLOT, WIDGET))
