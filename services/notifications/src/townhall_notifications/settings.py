"""Settings of the notifications service (environment prefix `TOWNHALL_NOTIFICATIONS_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import DEFAULT_STATE_DIR, ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Where notifications listens, keeps its data, and how it sends mail."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_NOTIFICATIONS_", extra="ignore")

    port: int = 8104
    database_url: str = "sqlite:///var/notifications.db"
    # The portal's address, for the links in mails (each item links to its post).
    portal_url: str = "http://127.0.0.1:8100"
    # This service's public address, for the one-click unsubscribe link of mails.
    public_url: str = "http://127.0.0.1:8104"

    # Where users who set no address of their own are written to: `<id>@<domain>`.
    default_mail_domain: str = "townhall.example"
    mail_from: str = "Townhall <notifications@townhall.example>"

    # SMTP: the embedded default sends to the local sink; production to the company relay.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Attempts of one mail within a pass (tenacity, exponential backoff), then it waits
    # for the next pass; after `mail_max_attempts` in all it is recorded as failed.
    smtp_attempts_per_pass: int = Field(default=3, ge=1, le=10)
    smtp_backoff_seconds: float = Field(default=0.5, ge=0, le=60)
    mail_max_attempts: int = Field(default=10, ge=1, le=100)
    # SMTP connections a pass sends over at once, each reused for many mails.
    smtp_connections: int = Field(default=4, ge=1, le=32)

    # The development SMTP sink (aiosmtpd) started with the service, and its mailbox
    # endpoint (`GET /v1/dev/mail`). Never outside development.
    smtp_sink_enabled: bool = True
    smtp_sink_dir: Path = DEFAULT_STATE_DIR / "mailbox"

    # Signs the one-click unsubscribe links of mails; a real secret outside development.
    unsubscribe_secret: SecretStr = SecretStr("development-unsubscribe-secret")

    # The background worker that sends mails, reminders and digests.
    worker_enabled: bool = True
    worker_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    # Reminders of a due acknowledgement, this many hours before `acknowledge_by`.
    reminder_hours: list[int] = Field(default_factory=lambda: [24])
    # The hour (UTC) the daily digest goes out, and the weekday (0 = Monday) of the weekly.
    digest_hour: int = Field(default=7, ge=0, le=23)
    digest_weekday: int = Field(default=0, ge=0, le=6)

    # Policy's answers are reused for at most this long (0 asks every time).
    policy_cache_seconds: float = Field(default=1.0, ge=0.0, le=1.0)
    policy_revision_check_seconds: float = Field(default=0.25, ge=0.0, le=1.0)

    # Outgoing webhooks. The SSRF guard refuses loopback and private addresses unless
    # allowed; the embedded default allows loopback so a newcomer can try a local receiver
    # (set it false in production).
    webhook_allow_loopback: bool = True
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Retried with exponential backoff from this delay for this long, then disabled.
    webhook_backoff_seconds: float = Field(default=5.0, ge=0, le=3600)
    webhook_retry_hours: float = Field(default=24.0, gt=0, le=168)

    # The NATS bus (`bus.py`); off while empty. `townhall run` sets it to its nats-server.
    nats_url: str = ""
    nats_durable: str = "notifications"

    @model_validator(mode="after")
    def _real_secrets_outside_development(self) -> NotificationsSettings:
        if not self.is_development and self.unsubscribe_secret.get_secret_value().startswith(
            "development"
        ):
            raise ValueError("unsubscribe_secret must be set outside development")
        return self

    @property
    def dev_mailbox(self) -> bool:
        return self.is_development and self.smtp_sink_enabled
