"""Service configuration from the environment, one prefix per service (``RIGHTS_``...)."""

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

import limits
from pydantic import AfterValidator, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url

from servicekit.dev_mode import installation_secret

SHARED_PREFIX = "MINEADMIN_"


def _parse_rate(value: str) -> str:
    limits.parse(value)  # a ValueError naming the value when it is not a rate
    return value


Rate = Annotated[str, AfterValidator(_parse_rate)]
"""A rate limit such as ``300/minute`` or ``5 per 10 seconds`` (the ``limits`` notation)."""


class Mode(StrEnum):
    dev = "dev"
    production = "production"


class BrokerKind(StrEnum):
    kafka = "kafka"
    inprocess = "inprocess"


class Role(StrEnum):
    """The roles the services know; tokens' own role names map to these (jwt_role_map)."""

    bureau_admin = "bureau_admin"
    bureau_reviewer = "bureau_reviewer"
    inspector = "inspector"
    enterprise = "enterprise"
    evaluator = "evaluator"
    gov_system = "gov_system"


class ServiceSettings(BaseSettings):
    """Settings every service has. A service subclass reads ``<PREFIX>_<FIELD>`` first (e.g.
    ``RIGHTS_DATABASE_URL``), then the shared ``MINEADMIN_<FIELD>`` (e.g. one
    ``MINEADMIN_KAFKA_BOOTSTRAP_SERVERS`` for all services)."""

    model_config = SettingsConfigDict(
        env_prefix=SHARED_PREFIX, extra="ignore", hide_input_in_errors=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        shared = EnvSettingsSource(settings_cls, env_prefix=SHARED_PREFIX)
        return init_settings, env_settings, shared, file_secret_settings

    mode: Mode = Mode.dev
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        description="SQLAlchemy URL with the asyncpg driver.",
    )
    database_pool_size: int = 10
    broker: BrokerKind = BrokerKind.kafka
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = Field(
        6, ge=1, description="Partitions of every topic `mineadmin topics apply` creates."
    )
    kafka_replication_factor: int = Field(
        1, ge=1, description="Replicas of each topic's partitions: 3 on a production cluster."
    )
    kafka_min_insync_replicas: int = Field(
        1,
        ge=1,
        description="Replicas that must have a record before the broker acknowledges it "
        "(producers use acks=all): 2 on a production cluster, so one broker may be down.",
    )
    kafka_events_retention_ms: int = Field(
        14 * 24 * 3600 * 1000,
        description="How long event topics keep records (-1: forever); a consumer down longer "
        "than this misses events.",
    )
    kafka_dlq_retention_ms: int = Field(
        30 * 24 * 3600 * 1000,
        description="How long dead-letter topics keep records (the database keeps its copy).",
    )
    topic_prefix: str = Field("", description="Prepended to every topic and consumer group name.")
    jwt_secret: SecretStr | None = Field(
        None,
        description="HS256 key; ignored when jwt_jwks_url is set. Unset in dev mode: this "
        "installation's own random secret, from dev_secret_file.",
    )
    dev_secret_file: Path = Field(
        Path(".data/dev-jwt-secret"),
        description="Where dev mode keeps this installation's random HS256 secret, created "
        "(mode 0600) on first use; `mineadmin token` signs with it.",
    )
    dev_mode_on_network: bool = Field(
        False,
        description="Let dev mode (HS256 tokens, no jwt_jwks_url) serve an address other than "
        "loopback; refused otherwise, and logged as a warning when set.",
    )
    jwt_jwks_url: str | None = Field(None, description="JWKS of the identity provider: RS256 only.")
    jwt_issuer: str = Field("mineadmin-dev", description="The `iss` every token must carry.")
    jwt_audience: str = Field("mineadmin", description="The `aud` every token must include.")
    jwks_max_age_seconds: float = Field(
        3600, gt=0, description="The provider's key set is refetched when older than this."
    )
    jwks_min_refetch_seconds: float = Field(
        10,
        ge=0,
        description="A token signed by a key not in the cached set (a key rotation) refetches "
        "the set, at most once per this many seconds.",
    )
    jwt_roles_claim: str = Field(
        "roles",
        description="Where the token lists its roles, a dotted path into the claims (Keycloak: "
        "`realm_access.roles`, or `resource_access.<client>.roles` for client roles).",
    )
    jwt_role_map: dict[str, Role] = Field(
        default_factory=dict,
        description="The provider's role names to the services' roles, e.g. "
        '{"mineadmin-gov-system": "gov_system"}. When set, roles not named here are ignored '
        "(the provider's own, such as offline_access); when empty, every role in the claim "
        "must be one of the services' role names.",
    )
    jwt_holder_claim: str = Field(
        "holder_id", description="Dotted path of the claim naming an enterprise's rights holder."
    )
    jwt_org_claim: str = Field(
        "org_id", description="Dotted path of the claim naming an evaluator's organisation."
    )
    jwt_holder_credit_code_claim: str | None = Field(
        None,
        description="Dotted path of a claim carrying an enterprise's unified social credit code "
        "统一社会信用代码, for a provider that names the enterprise so: when the token carries "
        "it, the holder is the one registered with that code (rights-api answers), instead of "
        "jwt_holder_claim.",
    )
    holder_lookup_cache_seconds: float = Field(
        300, ge=0, description="How long a credit code's holder, once found, is remembered."
    )
    oidc_authorization_url: str | None = Field(
        None,
        description="The provider's authorization endpoint: with oidc_token_url and "
        "docs_oauth_client_id, /docs offers login by authorization code with PKCE.",
    )
    oidc_token_url: str | None = Field(None, description="The provider's token endpoint.")
    docs_oauth_client_id: str | None = Field(
        None, description="The public client /docs's Authorize button logs in as."
    )
    log_level: str = "INFO"
    log_json: bool = True
    relay_poll_seconds: float = Field(2.0, gt=0, description="Relay polling fallback interval.")
    consumer_max_attempts: int = Field(
        5, ge=1, description="Handler attempts before dead-lettering."
    )
    consumer_retry_base_seconds: float = Field(0.2, ge=0)
    idempotency_retention_hours: int = 24
    idempotency_idle_seconds: float = Field(
        60,
        gt=0,
        description="A keyed POST whose transaction sits idle this long (its client host gone "
        "without closing the connection) is ended by PostgreSQL, releasing its key.",
    )
    metrics_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="Port of the Prometheus listener (GET /metrics), apart from the public API "
        "port: the service's own port + 100 when unset (rights 8101, restoration 8102, "
        "greenmine 8103, notifier 8104); 0 runs no listener.",
    )
    metrics_host: str = Field(
        "127.0.0.1",
        description="Address the metrics listener binds: 0.0.0.0 in a container, whose port is "
        "then reached on the internal network only (never published).",
    )
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = Field(
        1_048_576, description="Ceiling for multipart/form-data bodies (file uploads)."
    )
    public_url: str | None = Field(
        None, description="Where `mineadmin doctor` reaches the service (its /readyz)."
    )
    doctor_outbox_max_age_seconds: float = Field(
        300, gt=0, description="`mineadmin doctor` fails when an unsent outbox row is older."
    )
    doctor_max_consumer_lag: int = Field(
        1000, ge=0, description="`mineadmin doctor` fails when a consumed topic lags more."
    )
    doctor_max_dead_letters: int = Field(
        0, ge=0, description="`mineadmin doctor` fails with more dead letters not replayed."
    )
    peers: dict[str, str] = Field(
        default_factory=dict,
        description="Base URL of each other service this one calls over HTTP, by short name "
        '(e.g. {"restoration": "https://restoration.example.gov"}). A service not named here is '
        "reached on 127.0.0.1 at its installed port (the `make dev` layout).",
    )
    peer_timeout_seconds: float = Field(
        10, gt=0, description="How long a call to another service may take before it fails."
    )
    service_token: SecretStr | None = Field(
        None,
        description="Bearer token this service presents to its peers (role gov_system), issued "
        "by the identity provider. Dev mode mints one with its own secret when unset.",
    )
    rate_limit_anonymous_reads: Rate = Field(
        "300/minute",
        description="GET requests without a valid bearer token one client may make, counted "
        "across all replicas of the service (servicekit.rate_limit).",
    )

    http_cache_max_age_seconds: int = Field(
        60,
        ge=0,
        description="max-age of public cacheable answers (servicekit.http_cache): how long a "
        "shared cache may serve one without asking again; 0 sends no-cache (always revalidate).",
    )
    change_stamps_compact_seconds: float = Field(
        60,
        gt=0,
        description="How often a replica folds the change log (one row per writing transaction "
        "of a covered table) into its totals (servicekit.change_stamps).",
    )

    @model_validator(mode="after")
    def _refuse_dev_defaults_in_production(self) -> Self:
        if self.jwt_jwks_url is None and self.jwt_secret is None:
            if self.mode is Mode.production:
                raise ValueError(
                    "production mode needs jwt_jwks_url (RS256 tokens from the identity "
                    "provider) or a jwt_secret of its own"
                )
            self.jwt_secret = SecretStr(installation_secret(self.dev_secret_file))
        if self.mode is Mode.production:
            if self.broker is BrokerKind.inprocess:
                raise ValueError("production mode needs the Kafka broker")
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                "kafka_min_insync_replicas exceeds kafka_replication_factor: no write could "
                "ever be acknowledged"
            )
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """As pydantic's, but the database URL without its password (secrets are SecretStr)."""
        for name, value in super().__repr_args__():
            if name == "database_url":
                value = make_url(value).render_as_string(hide_password=True)
            yield name, value

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


def service_config(env_prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=env_prefix, extra="ignore", hide_input_in_errors=True)
