"""Reading and changing preferences; the channel each recipient gets for a kind."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from townhall_contracts.notifications import (
    MANDATORY_KINDS,
    Channel,
    DigestFrequency,
    Language,
    NotificationKind,
    Preferences,
    PreferencesUpdate,
)

from .errors import BadUnsubscribeLink, MandatoryNotification
from .models import Preference

# What cannot wait goes by e-mail at once; the rest waits for the digest.
DEFAULT_CHANNELS: dict[NotificationKind, Channel] = {
    kind: Channel.DIGEST for kind in NotificationKind
} | {
    NotificationKind.ACKNOWLEDGEMENT_DUE: Channel.EMAIL,
    NotificationKind.ACKNOWLEDGEMENT_REMINDER: Channel.EMAIL,
    NotificationKind.APPROVAL_REQUESTED: Channel.EMAIL,
    # Told as the request was, so that nobody reviews a post its author took back.
    NotificationKind.SUBMISSION_WITHDRAWN: Channel.EMAIL,
    # A report is already a summary, sent at its objective's cadence.
    NotificationKind.OBJECTIVE_REPORT: Channel.EMAIL,
}
# The `kind` of an unsubscribe link from a digest: every kind the digest carries.
DIGEST_LINK = "digest"
_IN = 500  # ids per `IN (...)` query


@dataclass(frozen=True, slots=True)
class Profile:
    """What a mail to a user needs: the address and the language."""

    user_id: str
    email: str
    language: Language
    digest: DigestFrequency


class PreferenceBook:
    """Preferences with their defaults (`mail_domain` for users who gave no address)."""

    def __init__(self, *, mail_domain: str, unsubscribe_secret: bytes) -> None:
        self._domain = mail_domain
        self._secret = unsubscribe_secret

    def read(self, session: Session, user_id: str) -> Preferences:
        row = session.get(Preference, user_id)
        channels = dict(DEFAULT_CHANNELS)
        if row is not None:
            channels |= {NotificationKind(k): Channel(v) for k, v in row.channels.items()}
        profile = self.profile_of(user_id, row)
        return Preferences(
            channels=channels,
            digest=profile.digest,
            language=profile.language,
            email=profile.email,
        )

    def update(self, session: Session, user_id: str, change: PreferencesUpdate) -> Preferences:
        """Apply `change`; a mandatory kind asked to be `off` refuses the whole change."""
        refused = sorted(
            k for k, c in change.channels.items() if k in MANDATORY_KINDS and c is Channel.OFF
        )
        if refused:
            raise MandatoryNotification(
                f"{', '.join(refused)} cannot be switched off: an official post that requires "
                "acknowledgement must reach you. Choose in_app, email or digest instead.",
                kinds=refused,
            )
        row = session.get(Preference, user_id) or Preference(user_id=user_id)
        row.channels = {**row.channels, **{k.value: c.value for k, c in change.channels.items()}}
        if change.digest is not None:
            row.digest = change.digest.value
        if change.language is not None:
            row.language = change.language.value
        if change.email is not None:
            row.email = change.email
        session.add(row)
        session.flush()
        return self.read(session, user_id)

    def channels(
        self, session: Session, user_ids: Sequence[str], kind: NotificationKind
    ) -> dict[str, Channel]:
        """Each user's channel for `kind` (the default for users without preferences)."""
        found: dict[str, Channel] = {}
        for start in range(0, len(user_ids), _IN):
            chunk = list(user_ids[start : start + _IN])
            rows = session.exec(select(Preference).where(col(Preference.user_id).in_(chunk)))
            for row in rows:
                if kind.value in row.channels:
                    found[row.user_id] = Channel(row.channels[kind.value])
        default = DEFAULT_CHANNELS[kind]
        return {user: found.get(user, default) for user in user_ids}

    def profile(self, session: Session, user_id: str) -> Profile:
        return self.profile_of(user_id, session.get(Preference, user_id))

    def profile_of(self, user_id: str, row: Preference | None) -> Profile:
        return Profile(
            user_id=user_id,
            email=(row.email if row and row.email else f"{user_id}@{self._domain}"),
            language=Language(row.language) if row else Language.FR,
            digest=DigestFrequency(row.digest) if row else DigestFrequency.DAILY,
        )

    def unsubscribe_signature(self, user_id: str, kind: str) -> str:
        """The signature of a one-click unsubscribe link (no login: the mail is the key)."""
        message = f"{user_id}\n{kind}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def unsubscribe(self, session: Session, user_id: str, kind: str, signature: str) -> None:
        """Stop the mails of `kind` (or of the digest): those items stay in the inbox."""
        expected = self.unsubscribe_signature(user_id, kind)
        if not hmac.compare_digest(expected, signature):
            raise BadUnsubscribeLink("The link was altered or is not for this user.")
        if kind == DIGEST_LINK:
            current = self.read(session, user_id).channels
            kinds = [k for k, c in current.items() if c is Channel.DIGEST]
        else:
            try:
                kinds = [NotificationKind(kind)]
            except ValueError:
                raise BadUnsubscribeLink(f"No kind of notification is called {kind!r}.") from None
        update = PreferencesUpdate(channels=dict.fromkeys(kinds, Channel.IN_APP))
        self.update(session, user_id, update)
