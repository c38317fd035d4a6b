"""The Tutor plugin (`conf/tutor`, tutor-contrib-elearn) rendered by the real `tutor` of both lines.

Tutor 21 (Open edX Ulmo) and 22 (Verawood) each live in their own venv (`.venv-tutor`,
`.venv-tutor22`, made by the Makefile with `conf/tutor` installed editable) and are named by
ELEARN_TUTOR and ELEARN_TUTOR22. Every render runs `tutor plugins enable elearn && tutor config
save` in a temporary TUTOR_ROOT, offline. Commands that would reach Docker run against a stub
`docker` that records its arguments, so the documented commands are proven to be ones Tutor
accepts and turns into the expected `docker compose` / `docker buildx` calls.

Without a tutor the tests skip, unless ELEARN_REQUIRE_SERVICES=1 (CI), where they fail.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_SOURCE = ROOT / "conf" / "tutor" / "tutor_elearn"
TUTORS = {"21": ("ELEARN_TUTOR", ".venv-tutor"), "22": ("ELEARN_TUTOR22", ".venv-tutor22")}
POLICY_IN_CONTAINERS = "/openedx/config/elearn-policy.yml"
AUTHENTICATION = [
    "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication",
    "openedx.core.lib.api.authentication.BearerAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
MARK = r"# elearn-plugin \(tutor-contrib-elearn\): "
BLOCK = re.compile(rf"{MARK}begin\n(.*?){MARK}end", re.S)
# Bytes Jinja would choke on or change: template syntax and invalid UTF-8.
NOT_JINJA = b"{{ PLATFORM_NAME }} {% if x %} {# c #} \xff\xfe"
POLICY_EXTRA = b"\n# Policy text stays as written: {{ not_a_variable }} {% raw %} {%- endif %}\n"
VCS = "git+https://git.example.org/training/elearn-plugin@v0.1.0"
# Records each call's arguments as one JSON line; `compose ls` (Tutor asks whether another
# project is running before it starts containers) answers that none is.
STUB_DOCKER = f"""#!{sys.executable}
import json, os, sys
with open(os.environ["ELEARN_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if "ls" in sys.argv:
    print("[]")
"""


def _require(message: str):
    if os.environ.get("ELEARN_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@functools.cache
def _find_tutor(line: str) -> tuple[str | None, str]:
    """(path of a checked `tutor` of that line, or None; the reason when None)."""
    variable, venv = TUTORS[line]
    tutor = os.environ.get(variable) or str(ROOT / venv / "bin" / "tutor")
    if not os.access(tutor, os.X_OK):
        return None, f"tutor {line} not found ({variable}={tutor}): run `make {venv}/bin/tutor`"
    version = subprocess.run(
        [tutor, "--version"], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    if f"version {line}." not in version:
        return None, f"{variable}={tutor} is not tutor {line}: {version.strip()!r}"
    # The interpreter of tutor's venv, from the script's shebang (the venv's bin/python).
    first = Path(tutor).read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    python = Path(first[2:].strip()) if first.startswith("#!") else Path(tutor).with_name("python")
    where = subprocess.run(
        [str(python), "-c", "import tutor_elearn.plugin as p; print(p.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = Path(where.stdout.strip() or "/nonexistent").resolve().parent
    if where.returncode != 0 or found != PLUGIN_SOURCE:
        return None, (
            f"{tutor}: tutor-contrib-elearn is not installed from this checkout "
            f"(found {where.stdout.strip() or where.stderr.strip()[-300:]}): "
            f"`{python} -m pip install --no-deps -e {ROOT / 'conf' / 'tutor'}`"
        )
    return tutor, ""


def tutor_or_skip(line: str) -> str:
    tutor, reason = _find_tutor(line)
    if tutor is None:
        _require(reason)
    return tutor


@dataclass
class Project:
    """One TUTOR_ROOT and the tutor that renders it."""

    tutor: str
    root: Path
    bin: Path

    @property
    def env(self) -> Path:
        return self.root / "env"

    @property
    def docker_log(self) -> Path:
        return self.bin / "docker.log"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
        env.update(
            TUTOR_ROOT=str(self.root),
            TUTOR_PLUGINS_ROOT=str(self.bin / "no-plugins"),
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            ELEARN_DOCKER_LOG=str(self.docker_log),
        )
        done = subprocess.run(  # noqa: S603
            [self.tutor, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"tutor {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def save(self, *settings: str, check: bool = True) -> subprocess.CompletedProcess:
        args = [part for setting in settings for part in ("--set", setting)]
        return self.run("config", "save", *args, check=check)

    def docker_calls(self) -> list[list[str]]:
        if not self.docker_log.exists():
            return []
        return [json.loads(line) for line in self.docker_log.read_text().splitlines()]

    def config(self) -> dict:
        return yaml.safe_load((self.root / "config.yml").read_text())

    def read(self, relative: str) -> str:
        return (self.env / relative).read_text(encoding="utf-8")

    def documents(self, relative: str) -> list[dict]:
        return [d for d in yaml.safe_load_all(self.read(relative)) if d]


def new_project(tutor: str, base: Path) -> Project:
    root, bin_dir = base / "tutor-root", base / "bin"
    (bin_dir / "no-plugins").mkdir(parents=True)
    docker = bin_dir / "docker"
    docker.write_text(STUB_DOCKER)
    docker.chmod(0o755)
    project = Project(tutor, root, bin_dir)
    project.run("plugins", "enable", "elearn")
    return project


def make_wheel(folder: Path, version: str = "0.1.0") -> Path:
    """A file shaped like elearn-plugin's wheel, holding (stored) bytes Jinja would break."""
    path = folder / f"elearn_plugin-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as wheel:
        wheel.writestr(
            f"elearn_plugin-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: elearn-plugin\nVersion: {version}\n",
        )
        wheel.writestr("elearn_plugin/bytes.bin", NOT_JINJA)
    assert NOT_JINJA in path.read_bytes()
    return path


def make_policy(folder: Path) -> Path:
    """The packaged default policy plus lines of Jinja syntax (valid YAML comments)."""
    path = folder / "policy.yaml"
    path.write_bytes((ROOT / "conf" / "policy.yaml").read_bytes() + POLICY_EXTRA)
    return path


def settings_block(text: str) -> str:
    blocks = BLOCK.findall(text)
    assert len(blocks) == 1, f"expected one elearn-plugin block, found {len(blocks)}"
    return blocks[0]


def block_values(text: str) -> dict:
    namespace: dict = {}
    exec(compile(settings_block(text), "elearn-block", "exec"), namespace)  # noqa: S102
    return {k: v for k, v in namespace.items() if k.startswith("ELEARN_")}


def stage(dockerfile: str, name: str) -> str:
    """The Dockerfile text of stage `name` (from its FROM to the next FROM)."""
    match = re.search(rf"^FROM \S+ AS {name}\n(.*?)(?=^FROM )", dockerfile, re.S | re.M)
    assert match, f"no stage {name}"
    return match.group(1)


def instructions(text: str) -> list[str]:
    """Dockerfile instructions with their continuation lines joined."""
    return [i.strip() for i in re.sub(r"\\\n\s*", " ", text).splitlines() if i.strip()]


def compose_services(project: Project, *files: str) -> dict:
    services: dict = {}
    for name in files:
        for document in project.documents(name):
            services.update(document.get("services") or {})
    return services


@pytest.fixture(scope="module", params=sorted(TUTORS), ids=lambda line: f"tutor{line}")
def line(request) -> str:
    return request.param


@dataclass
class FullRender:
    project: Project
    wheel: Path
    policy: Path
    checkout: Path


@pytest.fixture(scope="module")
def full(line, tmp_path_factory) -> FullRender:
    """Everything on: a wheel, a policy, a checkout mounted for development, the compose tick."""
    tutor = tutor_or_skip(line)
    base = tmp_path_factory.mktemp(f"tutor{line}-full")
    operator = base / "operator"
    operator.mkdir()
    wheel, policy = make_wheel(operator), make_policy(operator)
    checkout = base / "src" / "elearn-plugin"
    checkout.mkdir(parents=True)
    project = new_project(tutor, base)
    project.run("mounts", "add", str(checkout))
    project.save(
        f"ELEARN_WHEEL={wheel}",
        f"ELEARN_POLICY_SOURCE={policy}",
        "ELEARN_TICK_COMPOSE_SERVICE=true",
        "ELEARN_TICK_INTERVAL=1",
    )
    return FullRender(project, wheel, policy, checkout)


def test_image_installs_the_operators_wheel_from_its_build_context(full):
    dockerfile = full.project.read("build/openedx/Dockerfile")
    steps = [
        s
        for s in instructions(stage(dockerfile, "python-requirements"))
        if "elearn" in s and s.startswith("RUN ")
    ]
    assert len(steps) == 1, steps
    mount = re.search(r"--mount=type=bind,source=(\S+),target=(\S+)", steps[0])
    assert mount, steps[0]
    source, target = mount.groups()
    assert steps[0].endswith(f"$PIP_COMMAND install {target}")
    # The bind mount names a file inside the build context, copied there byte for byte.
    in_context = full.project.env / "build" / "openedx" / source
    assert in_context.name == full.wheel.name
    assert in_context.read_bytes() == full.wheel.read_bytes()
    assert "install 'elearn-plugin'" not in dockerfile


def test_images_build_sends_that_context_and_the_checkout(full):
    full.project.run("images", "build", "openedx")
    (build,) = [call for call in full.project.docker_calls() if call[:2] == ["buildx", "build"]]
    assert build[-1] == str(full.project.env / "build" / "openedx")
    assert f"--build-context=mnt-elearn-plugin={full.checkout}" in build


def test_a_mounted_checkout_is_installed_editable(full):
    dockerfile = full.project.read("build/openedx/Dockerfile")
    assert "FROM scratch AS mnt-elearn-plugin" in dockerfile
    assert dockerfile.count('RUN $PIP_COMMAND install -e "/mnt/elearn-plugin"') == 2  # prod, dev
    services = compose_services(full.project, "local/docker-compose.yml")
    for name in ("lms", "cms"):
        assert f"{full.checkout}:/mnt/elearn-plugin:z" in services[name]["volumes"]


def test_policy_file_is_shipped_byte_for_byte(full):
    shipped = full.project.env / "apps" / "openedx" / "config" / "elearn-policy.yml"
    assert shipped.read_bytes() == full.policy.read_bytes()
    assert POLICY_EXTRA in shipped.read_bytes()


@pytest.mark.parametrize("service", ["lms", "cms"])
@pytest.mark.parametrize("kind", ["production", "development"])
def test_settings_name_the_policy_the_report_authentication_and_the_salt(full, service, kind):
    text = full.project.read(f"apps/openedx/settings/{service}/{kind}.py")
    compile(text, f"{service}/{kind}.py", "exec")
    values = block_values(text)
    salt = full.project.config()["ELEARN_WATCH_TOKEN_SALT"]
    assert re.fullmatch(r"[A-Za-z0-9]{24}", salt)
    # P-33: the audit trail's key is generated per installation, kept in config.yml only.
    audit_key = full.project.config()["ELEARN_AUDIT_KEY"]
    assert re.fullmatch(r"[A-Za-z0-9]{48}", audit_key)
    assert values == {
        "ELEARN_HOST_ADAPTERS": "platform",
        "ELEARN_POLICY_FILE": POLICY_IN_CONTAINERS,
        "ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES": AUTHENTICATION,
        # The learner's own read API, called from the dashboard MFE with the JWT cookie.
        "ELEARN_LEARNER_API_AUTHENTICATION_CLASSES": AUTHENTICATION,
        "ELEARN_WATCH_TOKEN_SALT": salt,
        "ELEARN_AUDIT_KEY": audit_key,
        "ELEARN_CONTRIBUTION_MAX_BYTES": 100 * 1024 * 1024,  # P-12, with Caddy's limit
    }


def test_every_openedx_container_of_compose_mounts_the_policys_folder(full):
    services = compose_services(
        full.project,
        "local/docker-compose.yml",
        "local/docker-compose.prod.yml",
        "local/docker-compose.jobs.yml",
    )
    django = {
        name: s
        for name, s in services.items()
        if "DJANGO_SETTINGS_MODULE" in s.get("environment", {})
    }
    assert {"lms", "cms", "lms-worker", "cms-worker", "lms-job", "cms-job", "elearn-tick"} <= set(
        django
    )
    for name, service in django.items():
        mounts = [v.rsplit(":", 1)[0] for v in service["volumes"]]
        assert "../apps/openedx/config:/openedx/config" in mounts, name


def _containers(document: dict) -> tuple[list[dict], list[dict]]:
    spec = document["spec"]
    if document["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod = spec["template"]["spec"]
    return pod["containers"], pod.get("volumes", [])


def test_every_openedx_pod_on_kubernetes_mounts_the_config_map_with_the_policy(full):
    generators = yaml.safe_load(full.project.read("kustomization.yml"))["configMapGenerator"]
    (config_map,) = [g for g in generators if g["name"] == "openedx-config"]
    assert "apps/openedx/config/elearn-policy.yml" in config_map["files"]
    documents = full.project.documents("k8s/deployments.yml") + full.project.documents(
        "k8s/jobs.yml"
    )
    pods = 0
    for document in documents:
        if document.get("kind") not in ("Deployment", "Job", "CronJob"):
            continue
        containers, volumes = _containers(document)
        for container in containers:
            if not any(e["name"] == "DJANGO_SETTINGS_MODULE" for e in container.get("env", [])):
                continue
            pods += 1
            (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/openedx/config"]
            (volume,) = [v for v in volumes if v["name"] == mount["name"]]
            assert volume["configMap"]["name"] == "openedx-config", document["metadata"]["name"]
    assert pods >= 7  # lms, cms, their workers, their jobs, the tick


def test_tick_is_a_kubernetes_cronjob(full):
    # P-33: Tutor runs no beat; the tick runs from a CronJob that forbids overlapping runs.
    cronjobs = [d for d in full.project.documents("k8s/deployments.yml") if d["kind"] == "CronJob"]
    assert [c["metadata"]["name"] for c in cronjobs] == ["elearn-tick"]
    spec = cronjobs[0]["spec"]
    assert spec["schedule"] == "*/5 * * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    (container,) = _containers(cronjobs[0])[0]
    assert container["command"] == ["./manage.py", "lms", "elearn_tick"]
    lms = compose_services(full.project, "local/docker-compose.yml")["lms"]
    assert container["image"] == lms["image"]
    assert "{{" not in container["image"]


def test_opt_in_compose_tick_runs_beside_the_workers_like_the_lms(full):
    base = compose_services(full.project, "local/docker-compose.yml")
    prod = compose_services(full.project, "local/docker-compose.prod.yml")
    # In docker-compose.prod.yml (tutor local), like the workers: `tutor dev` does not start it.
    assert "elearn-tick" not in base
    tick, lms = prod["elearn-tick"], base["lms"]
    assert tick["image"] == lms["image"]
    assert tick["environment"] == {
        k: v for k, v in lms["environment"].items() if k != "UWSGI_WORKERS"
    }
    uwsgi = [v for v in lms["volumes"] if "uwsgi.ini" in v]
    assert tick["volumes"] == [v for v in lms["volumes"] if v not in uwsgi]
    assert tick["restart"] == "unless-stopped"
    assert tick["command"][:2] == ["sh", "-c"]
    assert "while true; do ./manage.py lms elearn_tick; sleep 1" in tick["command"][2]


def test_compose_tick_loop_runs_the_tick_again_and_stops_on_sigterm(full, tmp_path):
    """The loop itself, with compose's `$$` -> `$`, around a stand-in `manage.py`."""
    script = compose_services(full.project, "local/docker-compose.prod.yml")["elearn-tick"][
        "command"
    ][2].replace("$$", "$")
    calls = tmp_path / "calls"
    manage = tmp_path / "manage.py"
    manage.write_text(f'#!/bin/sh\necho "$*" >> {shlex.quote(str(calls))}\n')
    manage.chmod(0o755)
    loop = subprocess.Popen(["sh", "-c", script], cwd=tmp_path)  # noqa: S603, S607
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if calls.exists() and len(calls.read_text().splitlines()) >= 2:
                break
            time.sleep(0.1)
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(timeout=10) == 0
    finally:
        loop.kill()
    assert calls.read_text().splitlines()[:2] == ["lms elearn_tick", "lms elearn_tick"]


def _documented_compose_commands() -> list[str]:
    texts = [
        (ROOT / "README.md").read_text(encoding="utf-8"),
        (ROOT / "conf" / "tutor" / "README.md").read_text(encoding="utf-8"),
    ]
    pattern = r"tutor local (?:exec|run) [^`\n>]*[^`\n> ]"
    return sorted({m for text in texts for m in re.findall(pattern, text)})


def test_documented_exec_and_run_commands_reach_docker_compose_as_written(full):
    """Every `tutor local exec|run …` the READMEs name, the cron line's `-T` included."""
    commands = _documented_compose_commands()
    for expected in (
        "tutor local exec -T lms ./manage.py lms elearn_tick",
        "tutor local exec lms ./manage.py lms elearn_check_policy",
        "tutor local exec lms ./manage.py lms elearn_health",
    ):
        assert expected in commands
    for command in commands:
        verb, *args = shlex.split(command)[2:]
        full.project.docker_log.unlink(missing_ok=True)
        full.project.run("local", verb, *args)
        (call,) = [c for c in full.project.docker_calls() if "ls" not in c]
        assert call[0] == "compose" and "docker-compose.prod.yml" in " ".join(call)
        assert call[-len(args) :] == args and call[call.index(verb) + 1] in (args[0], "--rm"), call


def test_init_limited_to_lms_runs_the_migrations(full):
    """`tutor local do init --limit=lms` (the upgrade step) migrates in the lms job."""
    full.project.docker_log.unlink(missing_ok=True)
    full.project.run("local", "do", "init", "--limit=lms")
    scripts = [c[-1] for c in full.project.docker_calls() if "run" in c and "lms-job" in c]
    assert any("./manage.py lms migrate" in script for script in scripts), scripts


@pytest.fixture(scope="module")
def vcs(line, tmp_path_factory) -> Project:
    """Installed from a VCS URL; everything else left at its default."""
    project = new_project(tutor_or_skip(line), tmp_path_factory.mktemp(f"tutor{line}-vcs"))
    project.save(f"ELEARN_PIP_REQUIREMENT={VCS}")
    return project


def test_image_installs_a_vcs_requirement(vcs):
    dockerfile = vcs.read("build/openedx/Dockerfile")
    steps = [
        s
        for s in instructions(stage(dockerfile, "python-requirements"))
        if "elearn" in s and s.startswith("RUN ")
    ]
    assert len(steps) == 1 and steps[0].endswith(f"$PIP_COMMAND install {VCS}"), steps
    assert not (vcs.env / "build" / "openedx" / "elearn").exists()


def test_defaults_ship_no_policy_and_no_compose_tick(vcs):
    values = block_values(vcs.read("apps/openedx/settings/lms/production.py"))
    assert "ELEARN_POLICY_FILE" not in values  # the plugin's packaged default policy applies
    assert not (vcs.env / "apps" / "openedx" / "config" / "elearn-policy.yml").exists()
    assert "elearn-tick" not in compose_services(vcs, "local/docker-compose.prod.yml")
    assert values["ELEARN_VIDEO_REPORT_AUTHENTICATION_CLASSES"] == AUTHENTICATION


def test_salt_and_audit_key_are_generated_once_and_kept(vcs):
    salt, key = vcs.config()["ELEARN_WATCH_TOKEN_SALT"], vcs.config()["ELEARN_AUDIT_KEY"]
    vcs.save()
    assert (vcs.config()["ELEARN_WATCH_TOKEN_SALT"], vcs.config()["ELEARN_AUDIT_KEY"]) == (
        salt,
        key,
    )
    cms = block_values(vcs.read("apps/openedx/settings/cms/production.py"))
    assert cms["ELEARN_WATCH_TOKEN_SALT"] == salt
    assert cms["ELEARN_AUDIT_KEY"] == key


def test_the_roster_endpoint_and_its_token_reach_the_settings(vcs):  # P-2, P-6, P-7
    vcs.save("ELEARN_ROSTER_URL=https://hr.example.org/api/people", "ELEARN_ROSTER_TOKEN=s3cret")
    try:
        for service in ("lms", "cms"):
            values = block_values(vcs.read(f"apps/openedx/settings/{service}/production.py"))
            assert values["ELEARN_ROSTER_URL"] == "https://hr.example.org/api/people"
            assert values["ELEARN_ROSTER_TOKEN"] == "s3cret"
    finally:
        vcs.save("ELEARN_ROSTER_URL=", "ELEARN_ROSTER_TOKEN=")
    assert "ELEARN_ROSTER_URL" not in block_values(
        vcs.read("apps/openedx/settings/lms/production.py")
    )


def test_a_school_turns_the_family_view_on(vcs):  # P-35
    vcs.save("ELEARN_FAMILY_VIEW=true")
    try:
        for service in ("lms", "cms"):
            values = block_values(vcs.read(f"apps/openedx/settings/{service}/production.py"))
            assert values["ELEARN_FAMILY_VIEW_ENABLED"] is True
    finally:
        vcs.save("ELEARN_FAMILY_VIEW=false")
    assert "ELEARN_FAMILY_VIEW_ENABLED" not in block_values(
        vcs.read("apps/openedx/settings/lms/production.py")
    )


@pytest.fixture(scope="module")
def bad(line, tmp_path_factory) -> tuple[Project, dict]:
    base = tmp_path_factory.mktemp(f"tutor{line}-bad")
    project = new_project(tutor_or_skip(line), base)
    broken = base / "broken.yaml"
    broken.write_text("version: 1\nwindows: [unclosed\nother: 2\n")
    files = {"base": base, "wheel": make_wheel(base), "policy": make_policy(base), "broken": broken}
    return project, files


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["ELEARN_WHEEL={base}/missing-0.1.0-py3-none-any.whl"], "no such file"),
        (["ELEARN_WHEEL={wheel}", f"ELEARN_PIP_REQUIREMENT={VCS}"], "not both"),
        (["ELEARN_WHEEL={policy}"], "not an elearn-plugin wheel"),
        (["ELEARN_POLICY_SOURCE={broken}"], "line 3"),
        (["ELEARN_TICK_INTERVAL=0", "ELEARN_TICK_COMPOSE_SERVICE=true"], "at least 1"),
        (["ELEARN_ROSTER_URL=http://hr.example.org/people"], "https://"),
        (["ELEARN_ROSTER_URL=hr.example.org/people"], "https://"),
        (["ELEARN_CONTRIBUTION_MAX_MB=0"], "from 1 to 10240"),
        (["ELEARN_CONTRIBUTION_MAX_MB=lots"], "from 1 to 10240"),
    ],
    ids=[
        "missing-wheel",
        "wheel-and-vcs",
        "not-a-wheel",
        "broken-policy",
        "zero-interval",
        "plain-http-roster",
        "relative-roster",
        "zero-megabytes",
        "words-for-megabytes",
    ],
)
def test_bad_operator_input_fails_the_save_naming_the_setting(bad, settings, message):
    project, files = bad
    reset = [
        "ELEARN_WHEEL=",
        "ELEARN_PIP_REQUIREMENT=",
        "ELEARN_POLICY_SOURCE=",
        "ELEARN_TICK_COMPOSE_SERVICE=false",
        "ELEARN_TICK_INTERVAL=300",
        "ELEARN_ROSTER_URL=",
        "ELEARN_CONTRIBUTION_MAX_MB=100",
    ]
    done = project.save(*reset, *[s.format(**files) for s in settings], check=False)
    assert done.returncode != 0
    setting = settings[0].split("=", 1)[0]
    assert setting in done.stderr and message in done.stderr, done.stderr


def test_contributions_may_be_as_large_as_the_setting_says(vcs):  # P-12
    # tutor `apps/caddy/Caddyfile`: the LMS site limits bodies to 4MB in `handle_path /*`,
    # after the `caddyfile-lms` patch; a more specific `handle_path` overrides it.
    caddy = vcs.read("apps/caddy/Caddyfile")
    ours = r"handle_path /elearn/contributions/ \{\s*request_body \{\s*max_size 100MB\s*\}"
    assert re.search(ours, caddy), caddy
    assert caddy.index("handle_path /elearn/contributions/") < caddy.index("max_size 4MB")
    values = block_values(vcs.read("apps/openedx/settings/lms/production.py"))
    assert values["ELEARN_CONTRIBUTION_MAX_BYTES"] == 100 * 1024 * 1024


def test_plugin_is_listed_with_its_distribution_version(vcs):
    listed = vcs.run("plugins", "list").stdout
    version = re.search(r'__version__ = "([^"]+)"', (PLUGIN_SOURCE / "__init__.py").read_text())
    assert re.search(rf"^elearn\s.*\benabled\s+{re.escape(version.group(1))}$", listed, re.M), (
        listed
    )
