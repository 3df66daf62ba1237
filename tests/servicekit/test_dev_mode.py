"""Dev mode trusts no published secret and serves loopback only (servicekit.dev_mode): each
installation signs with a random secret of its own, and a dev-mode service on a network
address is refused unless MINEADMIN_DEV_MODE_ON_NETWORK says so."""

import asyncio
import logging
import os
import socket
import stat
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import jwt
import pytest
from devkit.devserver import run_dev
from rights_api.app import SERVICE
from servicekit.app import build_app
from servicekit.auth import Role, mint_dev_token
from servicekit.dev_mode import DevModeOnNetwork, check_bind, installation_secret
from servicekit.settings import ServiceSettings

# the constant earlier versions of the repository signed dev tokens with, for everyone
PUBLISHED_SECRET = "dev-only-secret-change-me-in-production-0000"


def test_two_installations_get_different_secrets_kept_private(tmp_path):
    one, two = tmp_path / "one" / "dev-jwt-secret", tmp_path / "two" / "dev-jwt-secret"
    first = ServiceSettings(dev_secret_file=one).jwt_secret.get_secret_value()
    second = ServiceSettings(dev_secret_file=two).jwt_secret.get_secret_value()

    assert first != second
    assert len(first) >= 32
    assert stat.S_IMODE(one.stat().st_mode) == 0o600
    assert ServiceSettings(dev_secret_file=one).jwt_secret.get_secret_value() == first
    assert PUBLISHED_SECRET not in (first, second)


def test_processes_creating_the_secret_at_once_agree(tmp_path):
    path = tmp_path / "dev-jwt-secret"
    with ThreadPoolExecutor(8) as pool:
        secrets = set(pool.map(lambda _: installation_secret(path), range(32)))
    assert len(secrets) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["dev-jwt-secret"]  # no draft left


async def test_a_token_signed_with_the_published_secret_is_refused(rights):
    now = int(time.time())
    claims = {
        "sub": "intruder",
        "roles": ["bureau_admin"],
        "iss": rights.settings.jwt_issuer,
        "aud": rights.settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
    }
    forged = jwt.encode(claims, PUBLISHED_SECRET, algorithm="HS256")
    response = await rights.client.get("/holders", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401, response.text
    own = await rights.client.get("/holders", headers=rights.auth(Role.bureau_admin))
    assert own.status_code == 200, own.text


def test_the_cli_signs_with_the_installation_secret(tmp_path, monkeypatch):
    from servicekit.cli import app as cli
    from typer.testing import CliRunner

    monkeypatch.chdir(tmp_path)  # a checkout of its own: its own .data
    monkeypatch.delenv("MINEADMIN_JWT_SECRET", raising=False)
    result = CliRunner().invoke(cli, ["token", "--role", "bureau_admin"])
    assert result.exit_code == 0, result.output
    secret = (tmp_path / ".data" / "dev-jwt-secret").read_text().strip()
    jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"], audience="mineadmin")


def test_the_cli_signs_with_the_secret_of_the_running_dev_stack(tmp_path, monkeypatch):
    """`mineadmin dev --data-dir elsewhere` names its secret in .data/dev.env; nothing else of
    that file enters the environment of whoever asks for a token."""
    from servicekit.cli import app as cli
    from typer.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MINEADMIN_JWT_SECRET", raising=False)
    monkeypatch.delenv("MINEADMIN_DEV_SECRET_FILE", raising=False)
    monkeypatch.delenv("MINEADMIN_BROKER", raising=False)
    stack_secret = installation_secret(tmp_path / "elsewhere" / "dev-jwt-secret")
    (tmp_path / ".data").mkdir()
    (tmp_path / ".data" / "dev.env").write_text(
        f"MINEADMIN_BROKER=inprocess\nMINEADMIN_DEV_SECRET_FILE={tmp_path}/elsewhere/dev-jwt-secret\n"
    )
    result = CliRunner().invoke(cli, ["token", "--role", "bureau_admin"])
    assert result.exit_code == 0, result.output
    jwt.decode(result.stdout.strip(), stack_secret, algorithms=["HS256"], audience="mineadmin")
    assert "MINEADMIN_BROKER" not in os.environ


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])
def test_dev_mode_refuses_to_bind_a_network_address(host):
    with pytest.raises(DevModeOnNetwork, match="MINEADMIN_DEV_MODE_ON_NETWORK=true"):
        check_bind(host, allowed=False)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_dev_mode_binds_loopback(host):
    check_bind(host, allowed=False)


def test_dev_mode_on_a_network_when_told_explicitly_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="servicekit.dev_mode"):
        check_bind("0.0.0.0", allowed=True)
    assert "DEV MODE ON A NETWORK" in caplog.text


@pytest.mark.usefixtures("own_logging")
def test_make_dev_on_0000_refuses_to_start_before_starting_anything(tmp_path, monkeypatch):
    monkeypatch.delenv("MINEADMIN_DEV_MODE_ON_NETWORK", raising=False)
    with pytest.raises(DevModeOnNetwork, match=r"refuses to serve 0\.0\.0\.0"):
        asyncio.run(run_dev(tmp_path, host="0.0.0.0"))
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "kafka").exists()


@pytest.fixture
def own_logging():
    """run_dev configures logging for the process: put the test run's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("own_logging")
def test_make_dev_on_0000_starts_when_told_explicitly(tmp_path, monkeypatch):
    """Told so, it goes past the check and on to start: here it stops at the next step, a
    port it needs held by this test (so no stack is started for nothing)."""
    monkeypatch.setenv("MINEADMIN_DEV_MODE_ON_NETWORK", "true")
    with socket.socket() as held:
        held.bind(("0.0.0.0", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(SystemExit, match=f"port {port} is in use"):
            asyncio.run(run_dev(tmp_path, host="0.0.0.0", port_offset=port - 9092))


async def _get_from(app, address: str) -> httpx.Response:
    """A request as it arrives on the service's own ``address`` (the socket's local end)."""
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{address}") as client:
        return await client.get("/healthz")


async def test_a_dev_mode_service_reached_on_a_network_address_refuses(tmp_path):
    """However it was started (`uvicorn --host 0.0.0.0` too), a dev-mode service answers only
    requests that came in on loopback."""
    settings = SERVICE.settings(dev_secret_file=tmp_path / "s", metrics_port=0)
    app = build_app(SERVICE, settings, background=False)
    refused = await _get_from(app, "192.168.1.20")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("dev-mode-loopback-only")
    assert (await _get_from(app, "127.0.0.1")).status_code == 200
    assert (await _get_from(app, "[::1]")).status_code == 200


async def test_a_dev_mode_service_on_a_network_when_told_explicitly(tmp_path, caplog):
    settings = SERVICE.settings(
        dev_secret_file=tmp_path / "s", metrics_port=0, dev_mode_on_network=True
    )
    with caplog.at_level(logging.WARNING, logger="servicekit.dev_mode"):
        app = build_app(SERVICE, settings, background=False)
    assert "DEV MODE ON A NETWORK" in caplog.text
    assert (await _get_from(app, "192.168.1.20")).status_code == 200


async def test_production_serves_every_address(tmp_path):
    settings = SERVICE.settings(
        mode="production", jwt_jwks_url="https://idp.example/jwks", metrics_port=0
    )
    app = build_app(SERVICE, settings, background=False)
    assert (await _get_from(app, "192.168.1.20")).status_code == 200
    with pytest.raises(ValueError, match="identity provider"):
        mint_dev_token(settings, role=Role.bureau_admin)
