"""Opaque pagination cursors, signed and bound to the query and caller that made them.

A cursor is urlsafe base64 of `{"o": offset, "m": mac}` where the MAC (HMAC-SHA256)
covers the offset and the query it belongs to. A cursor altered by hand, reused on
another query or by another user, or not a cursor at all is refused with 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from .errors import InvalidCursor

_VERSION = 1


@dataclass(frozen=True, slots=True)
class CursorScope:
    """What a cursor is valid for: one caller's one query."""

    subject: str
    text: str
    kind: str | None
    space_id: str | None
    author_id: str | None

    def canonical(self) -> bytes:
        fields = [_VERSION, self.subject, self.text, self.kind, self.space_id, self.author_id]
        return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode()


class CursorCodec:
    """Issues and checks cursors with a secret key."""

    def __init__(self, secret: bytes, *, max_offset: int) -> None:
        if not secret:
            raise ValueError("a cursor secret is required")
        self._secret = secret
        self._max_offset = max_offset

    def encode(self, offset: int, scope: CursorScope) -> str:
        """A cursor that resumes `scope` at `offset`."""
        payload = json.dumps({"o": offset, "m": self._mac(offset, scope)}, separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def decode(self, cursor: str, scope: CursorScope) -> int:
        """The offset a cursor resumes at, or `InvalidCursor`."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error, RecursionError) as exc:
            raise InvalidCursor("The cursor is malformed.") from exc
        if not isinstance(payload, dict) or set(payload) != {"o", "m"}:
            raise InvalidCursor("The cursor is malformed.")
        offset, mac = payload["o"], payload["m"]
        if type(offset) is not int or not isinstance(mac, str):
            raise InvalidCursor("The cursor is malformed.")
        if not hmac.compare_digest(mac, self._mac(offset, scope)):
            raise InvalidCursor("The cursor does not belong to this query.")
        if not 0 <= offset <= self._max_offset:
            raise InvalidCursor("The cursor points outside the result window.")
        return offset

    def _mac(self, offset: int, scope: CursorScope) -> str:
        message = str(offset).encode() + b"\n" + scope.canonical()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()
