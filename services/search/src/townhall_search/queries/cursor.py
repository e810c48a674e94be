"""Opaque pagination cursors, signed and bound to the query and caller that made them.

A cursor is urlsafe base64 of `{"o": offset, "t": as_of, "g": generation, "m": mac}`
where `as_of` is the moment of the first page (milliseconds since the epoch),
`generation` the index it was read from, and the MAC (HMAC-SHA256) covers them and
the query they belong to. Later pages only see documents indexed up to `as_of`, so
posts published meanwhile do not shift them; a rebuild indexes every document anew,
so a cursor from before its switch is refused (`CursorExpired`) rather than answer
an empty page.
A cursor altered by hand, reused on another query or by another user, or not a
cursor at all is refused with 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import InvalidCursor

_VERSION = 2
_SHAPES = ({"o", "m"}, {"o", "t", "m"}, {"o", "t", "g", "m"})


@dataclass(frozen=True, slots=True)
class CursorScope:
    """What a cursor is valid for: one caller's one query."""

    subject: str
    text: str
    kind: str | None
    space_id: str | None
    author_id: str | None
    created_from: str | None = None
    created_to: str | None = None
    sort: str = "relevance"

    def canonical(self) -> bytes:
        fields = [
            _VERSION,
            self.subject,
            self.text,
            self.kind,
            self.space_id,
            self.author_id,
            self.created_from,
            self.created_to,
            self.sort,
        ]
        return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class CursorPosition:
    """Where the next page starts and which snapshot it reads."""

    offset: int
    as_of: datetime | None
    generation: str | None = None


class CursorCodec:
    """Issues and checks cursors with a secret key."""

    def __init__(self, secret: bytes, *, max_offset: int) -> None:
        if not secret:
            raise ValueError("a cursor secret is required")
        self._secret = secret
        self._max_offset = max_offset

    def encode(
        self,
        offset: int,
        scope: CursorScope,
        as_of: datetime | None = None,
        generation: str | None = None,
    ) -> str:
        """A cursor that resumes `scope` at `offset`, reading the snapshot `as_of` of the
        index `generation`."""
        moment = _millis(as_of) if as_of is not None else 0
        fields: dict[str, object] = {"o": offset, "t": moment}
        if generation:
            fields["g"] = generation
        fields["m"] = self._mac(offset, moment, scope, generation)
        payload = json.dumps(fields, separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def decode(self, cursor: str, scope: CursorScope) -> int:
        """The offset a cursor resumes at, or `InvalidCursor`."""
        return self.decode_position(cursor, scope).offset

    def decode_position(self, cursor: str, scope: CursorScope) -> CursorPosition:
        """The offset and snapshot a cursor resumes at, or `InvalidCursor`."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error, RecursionError) as exc:
            raise InvalidCursor("The cursor is malformed.") from exc
        if not isinstance(payload, dict) or set(payload) not in _SHAPES:
            raise InvalidCursor("The cursor is malformed.")
        offset, moment, mac = payload["o"], payload.get("t", 0), payload["m"]
        generation = payload.get("g")
        if type(offset) is not int or type(moment) is not int or not isinstance(mac, str):
            raise InvalidCursor("The cursor is malformed.")
        if generation is not None and not isinstance(generation, str):
            raise InvalidCursor("The cursor is malformed.")
        if not hmac.compare_digest(mac, self._mac(offset, moment, scope, generation)):
            raise InvalidCursor("The cursor does not belong to this query.")
        if not 0 <= offset <= self._max_offset:
            raise InvalidCursor("The cursor points outside the result window.")
        try:
            as_of = datetime.fromtimestamp(moment / 1000, UTC) if moment > 0 else None
        except (OverflowError, OSError, ValueError) as exc:
            raise InvalidCursor("The cursor is malformed.") from exc
        return CursorPosition(offset=offset, as_of=as_of, generation=generation)

    def _mac(
        self, offset: int, moment: int, scope: CursorScope, generation: str | None = None
    ) -> str:
        if generation:
            message = f"{offset}@{moment}#{generation}".encode() + b"\n" + scope.canonical()
        elif moment:
            message = f"{offset}@{moment}".encode() + b"\n" + scope.canonical()
        else:
            message = str(offset).encode() + b"\n" + scope.canonical()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
