"""Settings of the policy service (environment prefix `TOWNHALL_POLICY_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import DEFAULT_STATE_DIR, PLACEHOLDER_SECRETS, ServiceSettings

# The embedded default keeps the audit key beside the signing key, under var/keys/.
DEV_AUDIT_KEY_FILE = DEFAULT_STATE_DIR / "keys" / "audit-chain.key"
DEV_AUDIT_CHECKPOINT_DIR = DEFAULT_STATE_DIR / "audit-checkpoints"
MIN_AUDIT_KEY_CHARS = 32


def _sqlite_dir(database_url: str) -> Path | None:
    """The directory of a SQLite database file, None for any other database."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split("///", 1)[-1]
    if not path or path == ":memory:":
        return None
    return Path(path).parent


class PolicySettings(ServiceSettings):
    """The policy service's settings: the shared ones plus how it keeps its view fresh."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_POLICY_", extra="ignore")

    port: int = 8101
    database_url: str = f"sqlite:///{DEFAULT_STATE_DIR / 'policy.db'}"
    # How often each instance checks the revision row, so instances sharing a database
    # agree within about a second after a change made through any of them.
    revision_poll_seconds: float = Field(default=0.5, gt=0, le=30)
    # uvicorn worker processes; each is an instance kept in step by the revision poll.
    workers: int = Field(default=1, ge=1, le=64)
    # The people search behind mentions, per caller: a burst, then so many per second.
    people_search_burst: int = Field(default=30, ge=1, le=10_000)
    people_search_per_second: float = Field(default=5.0, gt=0, le=1_000)

    # The audit chain's key, which the database never holds: the secret itself
    # (production: from a secret store), or a file holding it. Without either, development
    # uses `keys/audit-chain.key` beside a SQLite database (var/keys/ in the embedded
    # default), created on first use.
    audit_key: SecretStr | None = None
    audit_key_file: Path | None = None
    # Keys used before a rotation: events and checkpoints they signed still verify.
    audit_previous_keys: list[SecretStr] = Field(default_factory=list)
    # Where signed checkpoints of the chain's head are written (a place the database's
    # writers cannot rewrite). Development default: `audit-checkpoints` beside a SQLite
    # database (var/audit-checkpoints in the embedded default).
    audit_checkpoint_dir: Path | None = None
    # How often a checkpoint is written when the trail grew since the last one.
    audit_checkpoint_interval_seconds: float = Field(default=300, gt=0, le=86_400)

    # Policy as the OAuth 2.0 issuer of service tokens (`POST /oauth/token`, client
    # credentials): each client id (a service's name, e.g. `publishing`) with the SHA-256
    # hex digest of its secret (`townhall-policy oauth-client NAME` makes both). Empty: the
    # endpoint refuses every client.
    oauth_clients: dict[str, str] = Field(default_factory=dict)
    # How long an issued service token lives; clients refresh before it ends.
    oauth_token_seconds: int = Field(default=900, ge=5, le=86_400)
    # The private key issued tokens are signed with (its public half at
    # `/.well-known/jwks.json`); the development signing key when unset.
    oauth_signing_key_file: Path | None = None
    # The `iss` of issued tokens; `jwt_issuer` when unset. Set it apart from the user
    # tokens' issuer when those come from an external identity provider.
    oauth_issuer: str | None = None
    # The OAuth clients that are SCIM provisioning clients (Entra ID, Okta): their tokens
    # carry the `scim` scope and the SCIM audience, which the SCIM endpoints require and
    # no other endpoint accepts. Each must also be in `oauth_clients`.
    oauth_scim_clients: list[str] = Field(default_factory=list)
    scim_audience: str = Field(default="townhall-scim", min_length=1)

    @property
    def resolved_audit_key_file(self) -> Path:
        """The key file in use when no `audit_key` is given."""
        if self.audit_key_file is not None:
            return self.audit_key_file
        directory = _sqlite_dir(self.database_url)
        if directory is None:
            return DEV_AUDIT_KEY_FILE
        return directory / "keys" / DEV_AUDIT_KEY_FILE.name

    @property
    def resolved_audit_checkpoint_dir(self) -> Path:
        if self.audit_checkpoint_dir is not None:
            return self.audit_checkpoint_dir
        directory = _sqlite_dir(self.database_url)
        if directory is None:
            return DEV_AUDIT_CHECKPOINT_DIR
        return directory / DEV_AUDIT_CHECKPOINT_DIR.name

    @model_validator(mode="after")
    def _audit_key_and_checkpoints_outside_development(self) -> PolicySettings:
        if self.is_development:
            return self
        if self.audit_key is not None:
            secret = self.audit_key.get_secret_value()
            if secret.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError("audit_key is a placeholder")
            if len(secret) < MIN_AUDIT_KEY_CHARS:
                raise ValueError(f"audit_key must be at least {MIN_AUDIT_KEY_CHARS} characters")
        elif self.audit_key_file is None:
            raise ValueError("audit_key or audit_key_file is required outside development")
        elif self.audit_key_file.resolve() == DEV_AUDIT_KEY_FILE.resolve():
            raise ValueError("the development audit key must not be used outside development")
        if self.audit_checkpoint_dir is None:
            raise ValueError("audit_checkpoint_dir is required outside development")
        if self.oauth_clients and self.oauth_signing_key_file is None:
            raise ValueError(
                "oauth_signing_key_file is required to issue tokens outside development"
            )
        return self

    @model_validator(mode="after")
    def _scim_clients_are_clients(self) -> PolicySettings:
        unknown = sorted(set(self.oauth_scim_clients) - set(self.oauth_clients))
        if unknown:
            raise ValueError(f"oauth_scim_clients {unknown} are not in oauth_clients")
        return self

    @field_validator("oauth_clients")
    @classmethod
    def _digests(cls, clients: dict[str, str]) -> dict[str, str]:
        for client, digest in clients.items():
            if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
                raise ValueError(f"oauth_clients[{client!r}] must be a SHA-256 hex digest")
        return clients
