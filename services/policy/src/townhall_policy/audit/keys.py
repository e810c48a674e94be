"""The audit chain's keys: a secret the database never holds, and the keys it replaced.

Each event and each checkpoint carries the id of the key that signed it (a digest of the
key, never the key), so verification picks the right key after a rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from townhall_policy.settings import PolicySettings

KEYRING_INFO = "audit_keyring"
_KEY_ID_LABEL = b"townhall-audit-key-id/1"


class AuditKeyMissing(RuntimeError):
    """No key to sign the audit chain with (a configuration error)."""


@dataclass(frozen=True)
class AuditKey:
    """One HMAC key; `id` names it in events and checkpoints without revealing it."""

    secret: bytes = field(repr=False)

    @property
    def id(self) -> str:
        return hashlib.sha256(_KEY_ID_LABEL + self.secret).hexdigest()[:16]

    def mac(self, label: bytes, message: bytes) -> str:
        """HMAC-SHA256 (hex) of `message` under this key, separated by `label` by purpose."""
        return hmac.new(self.secret, label + b"\n" + message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditKeyring:
    """The key that signs new entries, and every key whose entries still verify."""

    current: AuditKey
    previous: tuple[AuditKey, ...] = ()

    def find(self, key_id: str) -> AuditKey | None:
        for key in (self.current, *self.previous):
            if hmac.compare_digest(key.id, key_id):
                return key
        return None

    @property
    def key_ids(self) -> list[str]:
        return [self.current.id, *(k.id for k in self.previous)]


def ensure_key_file(path: Path, *, create: bool = True) -> bytes:
    """The key held in `path`, created (256 random bits, mode 0600) on first use if `create`.

    Outside development a missing key file is an error: a new random key would sign a
    trail that no earlier checkpoint or event could be verified against.
    """
    if not path.exists() and not create:
        raise AuditKeyMissing(f"the audit key file {path} does not exist")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            # Atomic and first-writer-wins when several processes start at once.
            path.hardlink_to(tmp)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < 32:
        raise AuditKeyMissing(f"{path} holds no usable audit key (fewer than 32 characters)")
    return secret.encode("utf-8")


def load_keyring(settings: PolicySettings) -> AuditKeyring:
    """The keyring the settings describe (the key file is created in development)."""
    previous = tuple(_key(s.get_secret_value()) for s in settings.audit_previous_keys)
    if settings.audit_key is not None:
        return AuditKeyring(current=_key(settings.audit_key.get_secret_value()), previous=previous)
    current = _file_key(settings.resolved_audit_key_file.resolve(), settings.is_development)
    return AuditKeyring(current=current, previous=previous)


@lru_cache(maxsize=32)
def _file_key(path: Path, create: bool) -> AuditKey:
    return AuditKey(ensure_key_file(path, create=create))


def _key(secret: str) -> AuditKey:
    return AuditKey(secret.strip().encode("utf-8"))


def install_keyring(session: Session, keyring: AuditKeyring) -> None:
    """Let every event this session appends be signed with `keyring`."""
    session.info[KEYRING_INFO] = keyring


def keyring_for(session: Session) -> AuditKeyring:
    """The session's keyring; else the one the environment's settings give its database.

    The service installs its keyring on each request's session; one-shot commands and
    tests that write through a bare session get the key configured for that database.
    """
    installed = session.info.get(KEYRING_INFO)
    if isinstance(installed, AuditKeyring):
        return installed
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    keyring = load_keyring(PolicySettings(database_url=url))
    session.info[KEYRING_INFO] = keyring
    return keyring
