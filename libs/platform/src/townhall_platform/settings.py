"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

# Where the embedded default keeps its files (databases, index, development keys).
DEFAULT_STATE_DIR = Path("var")
DEV_PRIVATE_KEY = DEFAULT_STATE_DIR / "keys" / "dev-signing-key.pem"
# A directory of files named like the variables (`TOWNHALL_POLICY_DATABASE_URL`), each
# holding its value: a Kubernetes Secret mounted as a volume. Secrets kept out of the
# environment do not show in /proc/<pid>/environ, crash reports or child processes.
SECRETS_DIR_VARIABLE = "TOWNHALL_SECRETS_DIR"
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Common settings; a service sets `env_prefix`, e.g. `TOWNHALL_POLICY_`."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_", extra="ignore")
    # A service without a relational database (search) sets this to False.
    requires_database: ClassVar[bool] = True

    # `development`, `test` or `production`: outside the first two, placeholder keys,
    # secrets and SQLite are refused at start.
    environment: Environment = Environment.DEVELOPMENT
    # The address and port `serve` listens on.
    host: str = "127.0.0.1"
    port: int = 8100
    # SQLAlchemy URL of the service's own database (PostgreSQL in production).
    database_url: str = ""
    # JSON log lines (production) instead of readable ones, and the lowest level written.
    log_json: bool = False
    log_level: str = "INFO"
    # Larger request bodies are refused with 413 before they are read.
    max_body_bytes: int = 1_000_000

    # Identity: user tokens and service tokens are RS256 JWTs.
    jwt_issuer: str = "townhall-dev"
    jwt_audience: str = "townhall"
    service_audience: str = "townhall-internal"
    # Verification key: a JWKS URL in production, a local PEM key in development.
    jwks_url: str | None = None
    signing_key_file: Path = DEV_PRIVATE_KEY
    # This service's own token for calling the others. Preferred outside development: the
    # OAuth 2.0 client-credentials grant at `token_url` (policy's `/oauth/token` or an
    # external identity provider), as `client_id` (the service's name when unset) with
    # `client_secret`, refreshed once less than `token_refresh_margin_seconds` of its life
    # remains (at most half of it). Else a pre-issued `service_token`. Development with
    # neither mints locally with the development key.
    token_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    token_scope: str | None = None
    token_refresh_margin_seconds: float = Field(default=60.0, ge=0, le=3600)
    service_token: SecretStr | None = None
    # Service tokens from an issuer other than the user tokens' (`jwt_issuer`, `jwks_url`):
    # its `iss` and its JWKS URL (policy's is `<policy_url>/.well-known/jwks.json`).
    service_token_issuer: str | None = None
    service_jwks_url: str | None = None

    # Other services, for those that call them.
    policy_url: str = "http://127.0.0.1:8101"
    publishing_url: str = "http://127.0.0.1:8102"
    search_url: str = "http://127.0.0.1:8103"
    http_timeout_seconds: float = 5.0
    # The event bus (NATS JetStream): `townhall run` starts one on this URL; production
    # names its cluster's nodes, comma-separated, and three replicas per stream.
    nats_url: str = "nats://127.0.0.1:8105"
    nats_stream_replicas: int = Field(default=1, ge=1, le=5)
    # How the service proves itself to NATS: a user and password, or a credentials file
    # (a user JWT and its NKey seed, for operator/account mode); neither for an open server.
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    nats_creds_file: Path | None = None
    # TLS to NATS: the CA that signed its certificate (`tls://` in `nats_url`, or this file,
    # turns TLS on; without the file the system's CAs verify it).
    nats_tls_ca_file: Path | None = None
    # Calls to policy sit on every request's path: each has a total deadline (retries
    # included), and after `policy_breaker_failures` consecutive failures a breaker
    # refuses at once (503) for `policy_breaker_reset_seconds` before one probe.
    policy_deadline_seconds: float = Field(default=1.0, gt=0, le=30)
    policy_breaker_failures: int = Field(default=5, ge=1, le=1000)
    policy_breaker_reset_seconds: float = Field(default=2.0, gt=0, le=300)
    # Rate limits, per minute: per user on writes (POST/PUT/PATCH/DELETE under /v1/),
    # searches and type-ahead, and per client address for requests without a valid user
    # token. Service tokens are not limited. Counted in Redis at `redis_url` (shared by every
    # instance; e.g. redis://127.0.0.1:6379/0), else in the process; with Redis out, each
    # instance counts on its own until it answers again. Load tests raise them.
    redis_url: str | None = None
    rate_limits_enabled: bool = True
    rate_limit_writes_per_minute: int = Field(default=600, ge=1, le=1_000_000)
    rate_limit_searches_per_minute: int = Field(default=1200, ge=1, le=1_000_000)
    rate_limit_typeahead_per_minute: int = Field(default=1200, ge=1, le=1_000_000)
    rate_limit_per_address_per_minute: int = Field(default=1200, ge=1, le=1_000_000)
    # OpenTelemetry traces: off unless the base URL of an OTLP/HTTP collector is set (e.g.
    # http://otel-collector:4318).
    otlp_endpoint: str | None = None
    # The share of the traces begun here that are exported (a trace begun by a caller
    # follows the caller's decision).
    trace_sample_ratio: float = Field(default=1.0, ge=0, le=1)
    # `/readyz`: each check's deadline, and how long its answers are reused.
    readiness_check_seconds: float = Field(default=1.0, gt=0, le=30)
    readiness_cache_seconds: float = Field(default=1.0, ge=0, le=60)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment first, then the files of `TOWNHALL_SECRETS_DIR` when it is set."""
        directory = os.environ.get(SECRETS_DIR_VARIABLE)
        if not directory:
            return init_settings, env_settings, dotenv_settings
        secrets = SecretsSettingsSource(settings_cls, secrets_dir=directory)
        return init_settings, env_settings, dotenv_settings, secrets

    @property
    def is_development(self) -> bool:
        return self.environment in (Environment.DEVELOPMENT, Environment.TEST)

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> ServiceSettings:
        if bool(self.service_token_issuer) != bool(self.service_jwks_url):
            raise ValueError("service_token_issuer and service_jwks_url go together")
        if bool(self.nats_user) != bool(self.nats_password):
            raise ValueError("nats_user and nats_password go together")
        if self.nats_user and self.nats_creds_file:
            raise ValueError("nats_user/nats_password or nats_creds_file, not both")
        if self.is_development:
            return self
        if not self.jwks_url:
            raise ValueError("jwks_url is required outside development")
        if self.signing_key_file.resolve() == DEV_PRIVATE_KEY.resolve():
            raise ValueError("the development signing key must not be used outside development")
        if self.token_url:
            secret = self.client_secret.get_secret_value() if self.client_secret else ""
            if secret.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("client_secret is missing or a placeholder")
        else:
            token = self.service_token.get_secret_value() if self.service_token else ""
            if token.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("token_url with client_secret (or a service_token) is required")
        if self.requires_database and (
            not self.database_url or self.database_url.startswith("sqlite")
        ):
            raise ValueError("a PostgreSQL database_url is required outside development")
        return self
