"""Settings of the portal (environment prefix `TOWNHALL_PORTAL_`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import DEV_PRIVATE_KEY, PLACEHOLDER_SECRETS, ServiceSettings

DEV_SESSION_SECRET = "townhall-portal-development-session-secret"


class PortalSettings(ServiceSettings):
    """Where the APIs are, how sessions are signed, and how people sign in."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_PORTAL_", extra="ignore")

    port: int = 8100
    # The portal keeps no data of its own.
    requires_database: ClassVar[bool] = False

    # Signs the session and CSRF cookies.
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    session_max_age_seconds: int = 8 * 3600
    # Where signed-out sessions are remembered until they expire: a SQLite file shared by
    # the instances of one machine (e.g. var/portal-sessions.db); none, in this process.
    session_revocations_file: Path | None = None
    # How often policy's revision is asked, to notice grants and revocations in the
    # navigation (a user's capabilities are asked again only when it moved).
    navigation_revision_check_seconds: float = Field(default=1.0, ge=0, le=300)
    # The notifications service (the inbox and its header badge); empty: not configured,
    # and the portal shows no badge. Each call has a short total deadline and a breaker,
    # since the badge sits on every page and must never slow one down.
    notifications_url: str = "http://127.0.0.1:8104"
    notifications_deadline_seconds: float = Field(default=0.5, gt=0, le=30)
    # How long a display name is reused before policy is asked again (names rarely change).
    names_cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    # The time zone of a user whose browser did not tell theirs (no JavaScript yet).
    default_time_zone: str = Field(default="Europe/Paris", min_length=1, max_length=64)
    # The largest form that carries files (a post with an image and a document); each
    # file is held to publishing's own limit (`TOWNHALL_PUBLISHING_MEDIA_MAX_BYTES`).
    upload_max_bytes: int = Field(default=21_000_000, ge=1_000_000, le=250_000_000)
    # Lifetime of the API token minted for a demo user at development sign-in.
    demo_token_ttl_seconds: int = 8 * 3600

    # Production sign-in: OpenID Connect authorization code flow.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile email"
    # The portal's public address, for the OIDC redirect URI (e.g. https://intranet.example).
    public_url: str = "http://127.0.0.1:8100"

    @property
    def demo_login(self) -> bool:
        """The demo-user picker exists only in development and tests."""
        return self.is_development

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def secure_cookies(self) -> bool:
        return not self.is_development

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> PortalSettings:
        # Overrides the shared check: the portal has no database and never calls another
        # service as itself (only with the user's token), so it needs no service token.
        if self.is_development:
            return self
        if not self.jwks_url:
            raise ValueError("jwks_url is required outside development")
        if self.signing_key_file.resolve() == DEV_PRIVATE_KEY.resolve():
            raise ValueError("the development signing key must not be used outside development")
        return self

    @model_validator(mode="after")
    def _production_needs_oidc_and_a_real_secret(self) -> PortalSettings:
        if self.is_development:
            return self
        secret = self.session_secret.get_secret_value()
        if secret.strip().lower() in PLACEHOLDER_SECRETS or secret == DEV_SESSION_SECRET:
            raise ValueError("session_secret is missing or a placeholder")
        if len(secret) < 32:
            raise ValueError("session_secret must be at least 32 characters")
        if not self.oidc_enabled or self.oidc_client_secret is None:
            raise ValueError("oidc_issuer, oidc_client_id and oidc_client_secret are required")
        if not self.public_url.startswith("https://"):
            raise ValueError("public_url must be https outside development")
        return self
