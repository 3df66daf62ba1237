"""A real OpenID Connect provider (Keycloak, no Docker) for the identity tests.

Keycloak's Quarkus distribution comes from Maven Central (``org.keycloak:keycloak-quarkus-dist``,
checked against a pinned SHA-256) and is unpacked once into the cache beside the Kafka jars. It
runs as a ``java`` child process on 127.0.0.1 with an in-memory database; the realm, its roles,
clients and a staff user come from ``keycloak-realm.json`` through the admin API::

    with keycloak_server(run_dir=tmp_path / "keycloak") as idp:
        token = idp.client_credentials("mineadmin-gov-systems", "gov-systems-test-secret")

Keycloak 26 needs Java 21 or newer: ``KEYCLOAK_JAVA_HOME``, else ``JAVA_HOME`` when new enough,
else the newest JDK under /usr/lib/jvm that is (the machine image ships Temurin 25 there).
"""

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

from devkit.localinfra.fetch_once import fetch_once
from devkit.localinfra.java_process import HOST, JavaProcess, JavaServer
from devkit.localinfra.maven import MavenError, cache_root, run_maven
from devkit.ports import free_ports

__all__ = ["KEYCLOAK_VERSION", "KeycloakError", "KeycloakServer", "keycloak_server"]

KEYCLOAK_VERSION = "26.5.6"
_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
_SHA256 = "490189d9dff05272432d51f71a069462eeca97f2920a694d539a1e6c26a5a347"
_REALM_FILE = Path(__file__).with_name("keycloak-realm.json")
REALM = "mineadmin"
_MIN_JAVA = 21
# A first start on a loaded 2-core machine takes well over a minute (Quarkus augmentation).
_READY_TIMEOUT_S = 300.0
_STOP_TIMEOUT_S = 30.0
_HEAP = "-Xms64m -Xmx512m"


class KeycloakError(RuntimeError):
    """The local Keycloak could not be fetched, started or configured."""


class KeycloakServer(JavaServer):
    """One Keycloak JVM with the ``mineadmin`` realm; create it with :func:`keycloak_server`."""

    def __init__(self, *, home: Path, java_home: Path, run_dir: Path, port: int) -> None:
        self.home, self.java_home, self.run_dir, self.port = home, java_home, run_dir, port
        self.base_url = f"http://{HOST}:{port}"
        self.issuer = f"{self.base_url}/realms/{REALM}"
        self.jwks_url = f"{self.issuer}/protocol/openid-connect/certs"
        self.token_url = f"{self.issuer}/protocol/openid-connect/token"
        self.authorization_url = f"{self.issuer}/protocol/openid-connect/auth"
        self.log_path = run_dir / "keycloak.log"
        self._admin_password = secrets.token_urlsafe(16)
        env = {
            **os.environ,
            "JAVA_HOME": str(java_home),
            "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
            "KC_BOOTSTRAP_ADMIN_PASSWORD": self._admin_password,
            "JAVA_OPTS_KC_HEAP": _HEAP,
            # the unpacked distribution is shared by runs: keep their files apart
            "JAVA_OPTS_APPEND": (
                f"-Djava.io.tmpdir={run_dir} "
                f"-Dquarkus.transaction-manager.object-store.directory={run_dir / 'tx'}"
            ),
        }
        command = [
            "bash",
            str(home / "bin" / "kc.sh"),
            "start-dev",
            "--db=dev-mem",
            f"--http-host={HOST}",
            f"--http-port={port}",
            "--log-level=WARN",
        ]
        self._process = JavaProcess(
            f"Keycloak on {self.base_url}",
            command,
            cwd=run_dir,
            log_path=self.log_path,
            error=KeycloakError,
            stop_timeout=_STOP_TIMEOUT_S,
            poll_interval=0.5,
            env=env,
        )
        self.startup_seconds: float | None = None

    def start(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Start Keycloak, wait until it serves, and create the realm."""
        started = time.monotonic()
        # Quarkus re-augments the shared distribution on a first start: one start at a time.
        with (self.home.parent / ".start.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._process.start(
                self._answers,
                waiting_for="answer HTTP",
                timeout=started + timeout - time.monotonic(),
            )
        self.startup_seconds = time.monotonic() - started
        self._import_realm()

    def admin_token(self) -> str:
        response = httpx.post(
            f"{self.base_url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": "admin",
                "password": self._admin_password,
            },
            timeout=60,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call to the admin API of the realm (``path`` relative to it)."""
        headers = {"Authorization": f"Bearer {self.admin_token()}"}
        url = f"{self.base_url}/admin/realms/{REALM}{path}"
        response = httpx.request(method, url, headers=headers, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise KeycloakError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response

    def client_credentials(self, client_id: str, secret: str) -> str:
        """An access token for a confidential client (a government system)."""
        response = httpx.post(
            self.token_url,
            data={"grant_type": "client_credentials", "client_id": client_id},
            auth=(client_id, secret),
            timeout=60,
        )
        if response.status_code != 200:
            raise KeycloakError(f"client credentials for {client_id}: {response.text[:500]}")
        return response.json()["access_token"]

    def signing_key_providers(self) -> list[dict[str, Any]]:
        """The realm's RS256 signing key providers (component representations)."""
        components = self.admin(
            "GET", "/components", params={"type": "org.keycloak.keys.KeyProvider"}
        ).json()
        return [c for c in components if c["providerId"] in ("rsa-generated", "rsa")]

    def rotate_signing_key(self) -> None:
        """A new RS256 key becomes the active one and every old one is removed, as a provider's
        operator does after a key compromise (no overlap: old tokens stop verifying)."""
        old = self.signing_key_providers()
        self.admin(
            "POST",
            "/components",
            json={
                "name": f"rsa-rotated-{secrets.token_hex(4)}",
                "providerId": "rsa-generated",
                "providerType": "org.keycloak.keys.KeyProvider",
                "parentId": REALM,
                "config": {"priority": ["500"], "keySize": ["2048"], "algorithm": ["RS256"]},
            },
        )
        for component in old:
            self.admin("DELETE", f"/components/{component['id']}")

    def _import_realm(self) -> None:
        realm = json.loads(_REALM_FILE.read_text())
        headers = {"Authorization": f"Bearer {self.admin_token()}"}
        response = httpx.post(
            f"{self.base_url}/admin/realms", json=realm, headers=headers, timeout=120
        )
        if response.status_code != 201:
            raise KeycloakError(f"creating the realm: {response.status_code} {response.text}")

    def _answers(self) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.base_url}/realms/master", timeout=5).status_code == 200
        return False


def keycloak_server(*, run_dir: Path, cache_dir: Path | None = None) -> KeycloakServer:
    """Fetch (once) and configure a Keycloak on a free port; not started."""
    home = resolve_keycloak(cache_dir or cache_root() / f"keycloak-{KEYCLOAK_VERSION}")
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    (port,) = free_ports(1)
    return KeycloakServer(home=home, java_home=find_java_21(), run_dir=run_dir, port=port)


def resolve_keycloak(cache_dir: Path) -> Path:
    """Download the distribution with Maven, check its SHA-256, unpack it; return its home."""
    home = cache_dir / f"keycloak-{KEYCLOAK_VERSION}"

    def fetch() -> None:
        try:
            run_maven(
                ["dependency:copy", f"-Dartifact={_ARTIFACT}", f"-DoutputDirectory={cache_dir}"],
                cwd=cache_dir,
                fetching=_ARTIFACT,
            )
        except MavenError as exc:
            raise KeycloakError(str(exc)) from exc
        archive = cache_dir / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
        if not archive.exists():
            raise KeycloakError(f"mvn did not fetch {_ARTIFACT} into {cache_dir}")
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        if digest != _SHA256:
            archive.unlink()
            raise KeycloakError(f"{archive.name} has SHA-256 {digest}, expected {_SHA256}")
        shutil.rmtree(home, ignore_errors=True)
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(cache_dir)
        archive.unlink()

    fetch_once(cache_dir / "unpacked.sha256", _SHA256, fetch, lock=cache_dir / ".lock")
    return home


def find_java_21() -> Path:
    """A Java home of version 21 or newer (Keycloak 26 refuses older ones)."""
    candidates = [os.environ.get("KEYCLOAK_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += [str(p) for p in sorted(jvm.iterdir(), reverse=True)]
    for candidate in filter(None, candidates):
        home = Path(candidate)
        if (home / "bin" / "java").exists() and _java_major(home) >= _MIN_JAVA:
            return home
    raise KeycloakError(
        f"Keycloak needs Java {_MIN_JAVA}+: set KEYCLOAK_JAVA_HOME (none under /usr/lib/jvm)"
    )


def _java_major(home: Path) -> int:
    release = home / "release"
    match = re.search(r'JAVA_VERSION="(\d+)', release.read_text() if release.is_file() else "")
    return int(match.group(1)) if match else 0
