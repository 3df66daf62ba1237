"""A real OpenID Connect provider: Keycloak started by devkit, one per test run."""

import os
from collections.abc import Iterator

import pytest
from devkit.localinfra.keycloak import KeycloakServer, keycloak_server

CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeycloakServer]:
    try:
        server = keycloak_server(run_dir=tmp_path_factory.mktemp("keycloak"))
        server.start()
    except Exception as exc:  # no Java 21+, no Maven, no Maven Central...
        reason = f"could not start Keycloak: {exc}"
        if CI:
            pytest.fail(f"{reason} (CI=true: the identity tests must run)", pytrace=False)
        pytest.skip(f"IDENTITY TESTS NOT RUN: {reason}")
    print(f"\nKeycloak ready in {server.startup_seconds:.1f}s")
    yield server
    server.stop()
