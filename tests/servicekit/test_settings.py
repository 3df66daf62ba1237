"""Settings: the service's own prefix first, then the shared ``MINEADMIN_`` one; production
refuses the dev defaults."""

import os

import pytest
from notifier.settings import NotifierSettings
from pydantic import ValidationError
from restoration_api.settings import RestorationSettings
from rights_api.settings import RightsSettings
from servicekit.settings import BrokerKind, Mode, ServiceSettings

PREFIXES = ("MINEADMIN_", "RIGHTS_", "RESTORATION_", "GREENMINE_", "NOTIFIER_")
RIGHTS_URL = "postgresql+asyncpg://rights@db-rights:5432/rights"
SHARED_URL = "postgresql+asyncpg://shared@db-shared:5432/shared"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the machine has set must not decide these tests."""
    for name in list(os.environ):
        if name.upper().startswith(PREFIXES):
            monkeypatch.delenv(name)


def test_the_service_prefix_beats_the_shared_prefix(monkeypatch):
    monkeypatch.setenv("MINEADMIN_DATABASE_URL", SHARED_URL)
    monkeypatch.setenv("RIGHTS_DATABASE_URL", RIGHTS_URL)
    assert RightsSettings().database_url == RIGHTS_URL


def test_the_shared_prefix_applies_when_the_service_sets_nothing(monkeypatch):
    monkeypatch.setenv("MINEADMIN_DATABASE_URL", SHARED_URL)
    monkeypatch.setenv("MINEADMIN_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("RIGHTS_KAFKA_BOOTSTRAP_SERVERS", "kafka-rights:9092")
    rights, restoration = RightsSettings(), RestorationSettings()
    assert rights.database_url == SHARED_URL
    assert restoration.database_url == SHARED_URL
    assert rights.kafka_bootstrap_servers == "kafka-rights:9092"
    assert restoration.kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"


def test_one_services_prefix_does_not_reach_another(monkeypatch):
    monkeypatch.setenv("RIGHTS_DATABASE_URL", RIGHTS_URL)
    monkeypatch.setenv("RIGHTS_JWT_ISSUER", "rights-only")
    notifier = NotifierSettings()
    assert notifier.database_url != RIGHTS_URL
    assert notifier.jwt_issuer == "mineadmin-dev"
    assert ServiceSettings().database_url != RIGHTS_URL  # the CLI's shared settings


def test_explicit_arguments_beat_the_environment(monkeypatch):
    monkeypatch.setenv("MINEADMIN_DATABASE_URL", SHARED_URL)
    monkeypatch.setenv("RIGHTS_DATABASE_URL", RIGHTS_URL)
    url = "postgresql+asyncpg://postgres@127.0.0.1:5999/test"
    assert RightsSettings(database_url=url).database_url == url


def test_values_are_parsed_and_checked(monkeypatch):
    monkeypatch.setenv("RIGHTS_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("MINEADMIN_LOG_JSON", "false")
    settings = RightsSettings()
    assert settings.database_pool_size == 3
    assert settings.log_json is False
    monkeypatch.setenv("RIGHTS_RELAY_POLL_SECONDS", "0")
    with pytest.raises(ValidationError, match="relay_poll_seconds"):
        RightsSettings()


def test_dev_mode_accepts_the_defaults(tmp_path):
    settings = RightsSettings(dev_secret_file=tmp_path / "secret")
    assert settings.mode is Mode.dev
    assert settings.jwt_secret.get_secret_value() == (tmp_path / "secret").read_text().strip()
    assert settings.jwt_jwks_url is None
    assert RightsSettings(broker="inprocess").broker is BrokerKind.inprocess


def test_the_secret_is_not_shown_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("RIGHTS_JWT_SECRET", "s3cr3t-value-for-this-test-only-0123456789")
    settings = RightsSettings()
    assert "s3cr3t" not in repr(settings)
    assert "s3cr3t" not in str(settings.model_dump())


def test_production_never_falls_back_to_the_dev_secret(tmp_path):
    RightsSettings(dev_secret_file=tmp_path / "secret")  # an installation's dev secret exists
    with pytest.raises(ValidationError, match="needs jwt_jwks_url"):
        RightsSettings(mode="production", dev_secret_file=tmp_path / "secret")


def test_production_mode_from_the_shared_prefix_is_enforced(monkeypatch):
    monkeypatch.setenv("MINEADMIN_MODE", "production")
    with pytest.raises(ValidationError, match="needs jwt_jwks_url"):
        RightsSettings()
    with pytest.raises(ValidationError, match="needs jwt_jwks_url"):
        ServiceSettings()  # what `mineadmin token` reads


def test_production_refuses_the_in_process_broker():
    with pytest.raises(ValidationError, match="Kafka"):
        RightsSettings(
            mode="production", broker="inprocess", jwt_jwks_url="https://idp.example/jwks"
        )
    with pytest.raises(ValidationError, match="Kafka"):
        RightsSettings(mode="production", broker="inprocess", jwt_secret="x" * 48)


def test_production_accepts_a_jwks_url_or_a_secret_of_its_own(monkeypatch):
    with_jwks = RightsSettings(mode="production", jwt_jwks_url="https://idp.example/jwks")
    assert with_jwks.mode is Mode.production
    assert with_jwks.broker is BrokerKind.kafka
    monkeypatch.setenv("RIGHTS_MODE", "production")
    monkeypatch.setenv("RIGHTS_JWT_SECRET", "a-long-random-secret-of-this-deployment-0001")
    with_secret = RightsSettings()
    assert with_secret.mode is Mode.production
    assert with_secret.jwt_secret.get_secret_value().startswith("a-long-random")
