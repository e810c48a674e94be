"""Opaque feed cursors: the sort key of the last post of a page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from .errors import InvalidCursor

_MAX_CURSOR_LENGTH = 256


@dataclass(frozen=True)
class FeedCursor:
    """Where a feed page ended: (rank, published_at, post id) of its last post."""

    rank: int
    published_at: datetime
    post_id: str

    def encode(self) -> str:
        raw = json.dumps([self.rank, self.published_at.isoformat(), self.post_id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> FeedCursor:
        """Read a cursor given back by a client, or raise `InvalidCursor`."""
        if len(token) > _MAX_CURSOR_LENGTH:
            raise InvalidCursor("The cursor is not one this feed handed out.")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            rank, published_at, post_id = json.loads(raw)
            moment = datetime.fromisoformat(published_at)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidCursor("The cursor is not one this feed handed out.") from exc
        valid = (
            isinstance(rank, int)
            and rank in (0, 1, 2)
            and isinstance(post_id, str)
            and 0 < len(post_id) <= 36
            and moment.tzinfo is not None
        )
        if not valid:
            raise InvalidCursor("The cursor is not one this feed handed out.")
        return cls(rank=rank, published_at=moment, post_id=post_id)
