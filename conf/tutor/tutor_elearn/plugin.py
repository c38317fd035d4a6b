"""Tutor plugin `elearn`: elearn-plugin in the Open edX image, its policy, settings and tick.

What the image installs (one of three, see README.md):
- `ELEARN_WHEEL`: the absolute path of a built elearn-plugin wheel on the machine running
  `tutor`. Every `tutor config save` copies it byte for byte into the image's build context
  (`env/build/openedx/elearn/`); the Dockerfile bind-mounts that file and installs it.
- `ELEARN_PIP_REQUIREMENT`: anything pip resolves inside the build, e.g. a VCS URL with a tag.
- `tutor mounts add /path/to/elearn-plugin`: a checkout, installed editable by Tutor's own
  mount logic (development).

Operator files reach the environment through a template root of their own, holding copies of
the files the config names and nothing else; `IS_FILE_RENDERED` keeps Jinja away from them, so
a wheel stays a wheel and a policy containing `{{` stays as written. A config value holding the
policy text would not survive: Tutor renders every config value through Jinja when it loads.
"""

from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import tempfile
import typing as t
import zipfile
from importlib import resources
from pathlib import Path

import yaml
from tutor import exceptions, hooks

# Where the organisation's policy lives in every Open edX container: Tutor mounts
# env/apps/openedx/config at /openedx/config (compose bind mount; k8s config map openedx-config).
POLICY_TEMPLATE = "apps/openedx/config/elearn-policy.yml"
POLICY_IN_CONTAINERS = "/openedx/config/elearn-policy.yml"
# Inside the openedx image's build context (env/build/openedx).
WHEEL_TEMPLATE_DIR = "build/openedx/elearn"
WHEEL_NAME = re.compile(r"elearn_plugin-[A-Za-z0-9_.!+]+(-[A-Za-z0-9_.]+){3,4}\.whl")
# Inside the MFE images' build context (env/plugins/mfe/build/mfe), tutor-mfe's.
WIDGET_TEMPLATE_DIR = "mfe/build/mfe/elearn"
# A checkout whose folder has this name is installed editable by `tutor mounts add`.
CHECKOUT_FOLDER = r"elearn[-_]plugin$"

# The platform's classes for the watch-report endpoint: JWT (the MFEs and the mobile apps'
# JWT tokens), OAuth2 bearer tokens (the mobile apps), and the browser session with CSRF.
REPORT_AUTHENTICATION = [
    "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication",
    "openedx.core.lib.api.authentication.BearerAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]

hooks.Filters.CONFIG_DEFAULTS.add_items(
    [
        ("ELEARN_WHEEL", ""),
        ("ELEARN_PIP_REQUIREMENT", ""),
        ("ELEARN_POLICY_SOURCE", ""),
        ("ELEARN_HOST_ADAPTERS", "platform"),
        ("ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES", REPORT_AUTHENTICATION),
        # Tutor runs no Celery beat: the tick runs from a CronJob (k8s), from the opt-in
        # compose service below, or from the host's cron.
        ("ELEARN_TICK_SCHEDULE", "*/5 * * * *"),
        ("ELEARN_TICK_COMPOSE_SERVICE", False),
        ("ELEARN_TICK_INTERVAL", 300),
        # HR's roster endpoint for the tick's sync (P-2, P-6, P-7); empty: no sync. Its
        # bearer token stays in config.yml, like the other secrets.
        # P-12: the largest learner contribution, in MB (the LMS's Caddy limit on that page).
        ("ELEARN_CONTRIBUTION_MAX_MB", 100),
        # The learner dashboard's "My training" widget (frontend/my-training): the `npm pack`
        # file on this machine, or an npm spec; neither = no widget (needs tutor-mfe).
        ("ELEARN_WIDGET_TARBALL", ""),
        ("ELEARN_WIDGET_NPM", ""),
        ("ELEARN_ROSTER_URL", ""),
        ("ELEARN_ROSTER_TOKEN", ""),
        # P-35: schools give families a learner's progress report through a link; off.
        ("ELEARN_FAMILY_VIEW", False),
    ]
)
# Generated once per installation and kept in config.yml (not in the database): the
# watch-session tokens' salt and the key sealing the audit trail (ADR 0009).
hooks.Filters.CONFIG_UNIQUE.add_items(
    [
        ("ELEARN_WATCH_TOKEN_SALT", "{{ 24|random_string }}"),
        ("ELEARN_AUDIT_KEY", "{{ 48|random_string }}"),
    ]
)

hooks.Filters.MOUNTED_DIRECTORIES.add_item(("openedx", CHECKOUT_FOLDER))


def _fail(setting: str, value: t.Any, message: str) -> t.NoReturn:
    raise exceptions.TutorError(f"{setting}={value}: {message}")


def _operator_file(setting: str, value: t.Any) -> Path:
    path = Path(os.path.expanduser(str(value)))
    if not path.is_absolute():
        _fail(setting, value, "name the file by its absolute path (it is read at every save)")
    if not path.is_file():
        _fail(setting, value, "no such file")
    return path


def wheel_name(value: t.Any, requirement: t.Any = "") -> str:
    """Jinja filter: the file name of the operator's elearn-plugin wheel, after checking it."""
    if requirement:
        _fail("ELEARN_WHEEL", value, "set ELEARN_WHEEL or ELEARN_PIP_REQUIREMENT, not both")
    path = _operator_file("ELEARN_WHEEL", value)
    if not WHEEL_NAME.fullmatch(path.name):
        _fail("ELEARN_WHEEL", value, "not an elearn-plugin wheel (elearn_plugin-VERSION-…whl)")
    try:
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
    except zipfile.BadZipFile:
        _fail("ELEARN_WHEEL", value, "not a wheel: the file is not a zip archive")
    if not any(re.fullmatch(r"elearn_plugin-[^/]+\.dist-info/METADATA", n) for n in names):
        _fail("ELEARN_WHEEL", value, "not a wheel: no elearn_plugin-*.dist-info/METADATA")
    return path.name


def requirement(value: t.Any) -> str:
    """Jinja filter: the pip requirement, shell-quoted for the Dockerfile's RUN line."""
    text = str(value).strip()
    if "\n" in text or "\r" in text:
        _fail("ELEARN_PIP_REQUIREMENT", value, "one requirement on one line")
    return shlex.quote(text)


def policy_file(value: t.Any) -> str:
    """Jinja filter: the policy's path in the containers, after checking the operator's file.

    Only the YAML syntax is checked here (Tutor's venv has no elearn-plugin); the full check
    is `./manage.py lms elearn_check_policy` in the running LMS.
    """
    path = _operator_file("ELEARN_POLICY_SOURCE", value)
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        _fail("ELEARN_POLICY_SOURCE", value, "the file is not UTF-8 text")
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        _fail("ELEARN_POLICY_SOURCE", value, f"line {line}: {exc.problem}")
    except yaml.YAMLError as exc:
        _fail("ELEARN_POLICY_SOURCE", value, f"not YAML: {exc}")
    if not isinstance(data, dict):
        _fail("ELEARN_POLICY_SOURCE", value, "a policy file is a YAML mapping")
    return POLICY_IN_CONTAINERS


def seconds(value: t.Any) -> int:
    """Jinja filter: the compose tick's interval, a whole number of seconds (at least 1)."""
    if isinstance(value, bool) or not re.fullmatch(r"\s*[0-9]+\s*", str(value)) or int(value) < 1:
        _fail("ELEARN_TICK_INTERVAL", value, "a whole number of seconds, at least 1")
    return int(value)


def megabytes(value: t.Any) -> int:
    """Jinja filter: the contribution size limit, a whole number of MB (1 to 10240)."""
    text = str(value)
    if (
        isinstance(value, bool)
        or not re.fullmatch(r"\s*[0-9]+\s*", text)
        or not (1 <= int(text) <= 10240)
    ):
        _fail("ELEARN_CONTRIBUTION_MAX_MB", value, "a whole number of MB, from 1 to 10240")
    return int(text)


def roster_url(value: t.Any) -> str:
    """Jinja filter: HR's roster endpoint, an absolute https URL (the token travels with it)."""
    text = str(value).strip()
    if not re.fullmatch(r"https://[^\s/?#]+(/[^\s]*)?", text):
        _fail("ELEARN_ROSTER_URL", value, "an absolute https:// URL of HR's roster endpoint")
    return text


hooks.Filters.ENV_TEMPLATE_FILTERS.add_items(
    [
        ("elearn_roster_url", roster_url),
        ("elearn_megabytes", megabytes),
        ("elearn_wheel_name", wheel_name),
        ("elearn_requirement", requirement),
        ("elearn_policy_file", policy_file),
        ("elearn_seconds", seconds),
    ]
)


class VerbatimFiles:
    """A template root that holds copies of the operator's files, and only those.

    Tutor renders every file of every template root that starts with a target ("apps/",
    "build/", ...) into `env/`. The root is a private temporary folder, so nothing else of the
    operator's folders is walked or rendered; the files in it are exempt from Jinja.
    """

    def __init__(self) -> None:
        self.sources: dict[str, Path] = {}
        self.root: str | None = None
        self._staged: dict[str, tuple[str, int, int]] = {}

    def want(self, config: dict[str, t.Any]) -> None:
        """Remember the files the loaded config names (unusable ones fail at rendering)."""
        sources: dict[str, Path] = {}
        # (setting, the template's name, or the folder it goes into under its own name)
        for setting, template, folder in [
            ("ELEARN_WHEEL", None, WHEEL_TEMPLATE_DIR),
            ("ELEARN_POLICY_SOURCE", POLICY_TEMPLATE, None),
            ("ELEARN_WIDGET_TARBALL", None, WIDGET_TEMPLATE_DIR),
        ]:
            value = config.get(setting)
            if not value:
                continue
            path = Path(os.path.expanduser(str(value)))
            if path.is_absolute() and path.is_file():
                sources[template or f"{folder}/{path.name}"] = path
        self.sources = sources

    def is_verbatim(self, template_name: str) -> bool:
        return template_name in self.sources

    def template_root(self) -> str | None:
        """The folder with today's copies, or None when the config names no file."""
        if self.root is None and self.sources:
            self.root = tempfile.mkdtemp(prefix="tutor-elearn-")
            atexit.register(shutil.rmtree, self.root, True)
        if self.root is None:
            return None
        for name in list(self._staged):
            if name not in self.sources:
                Path(self.root, name).unlink(missing_ok=True)
                del self._staged[name]
        for name, source in self.sources.items():
            stat = source.stat()
            key = (str(source), stat.st_mtime_ns, stat.st_size)
            if self._staged.get(name) != key:
                target = Path(self.root, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                self._staged[name] = key
        return self.root if self.sources else None


VERBATIM = VerbatimFiles()


@hooks.Actions.CONFIG_LOADED.add()
def _remember_operator_files(config: dict[str, t.Any]) -> None:
    VERBATIM.want(config)


@hooks.Filters.ENV_TEMPLATE_ROOTS.add()
def _add_operator_files(roots: list[str]) -> list[str]:
    root = VERBATIM.template_root()
    return [*roots, root] if root else roots


@hooks.Filters.IS_FILE_RENDERED.add()
def _keep_operator_files_verbatim(should_render: bool, template_name: str) -> bool:
    return should_render and not VERBATIM.is_verbatim(template_name)


def _patch(name: str) -> str:
    return resources.files("tutor_elearn").joinpath("patches", name).read_text(encoding="utf-8")


_SETTINGS = _patch("elearn-settings")

hooks.Filters.ENV_PATCHES.add_items(
    [
        (
            "openedx-dockerfile-post-python-requirements",
            _patch("openedx-dockerfile-post-python-requirements"),
        ),
        ("openedx-lms-common-settings", _SETTINGS),
        ("openedx-cms-common-settings", _SETTINGS),
        ("k8s-deployments", _patch("k8s-deployments")),
        ("local-docker-compose-prod-services", _patch("local-docker-compose-prod-services")),
        ("caddyfile-lms", _patch("caddyfile-lms")),
    ]
)

from tutor_elearn import widget  # noqa: E402, F401 - the widget's patches and slot
