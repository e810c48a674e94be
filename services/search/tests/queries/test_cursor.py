"""Cursors: opaque, signed, bound to one caller's one query."""

from __future__ import annotations

import base64
import json

import pytest

from townhall_search.queries.cursor import CursorCodec, CursorScope
from townhall_search.queries.errors import InvalidCursor

SCOPE = CursorScope(subject="alice", text="sécurité", kind=None, space_id="cafe", author_id=None)
CODEC = CursorCodec(b"test-secret", max_offset=999)


def _payload(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def _encode(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_round_trip() -> None:
    cursor = CODEC.encode(40, SCOPE)

    assert CODEC.decode(cursor, SCOPE) == 40
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_edited_offset_is_refused() -> None:
    payload = _payload(CODEC.encode(40, SCOPE))
    payload["o"] = 400

    with pytest.raises(InvalidCursor, match="does not belong"):
        CODEC.decode(_encode(payload), SCOPE)


@pytest.mark.parametrize(
    "other",
    [
        CursorScope("bob", "sécurité", None, "cafe", None),
        CursorScope("alice", "securite", None, "cafe", None),
        CursorScope("alice", "sécurité", "official", "cafe", None),
        CursorScope("alice", "sécurité", None, None, None),
        CursorScope("alice", "sécurité", None, "cafe", "bob"),
    ],
)
def test_cursor_of_another_query_or_caller_is_refused(other: CursorScope) -> None:
    with pytest.raises(InvalidCursor):
        CODEC.decode(CODEC.encode(40, SCOPE), other)


def test_cursor_signed_with_another_secret_is_refused() -> None:
    foreign = CursorCodec(b"another-secret", max_offset=999).encode(40, SCOPE)

    with pytest.raises(InvalidCursor):
        CODEC.decode(foreign, SCOPE)


def test_offset_beyond_the_window_is_refused() -> None:
    wide = CursorCodec(b"test-secret", max_offset=10_000).encode(5_000, SCOPE)

    with pytest.raises(InvalidCursor, match="window"):
        CODEC.decode(wide, SCOPE)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64 at all!",
        "%%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _encode([1, 2]),
        _encode({"o": "40", "m": "x"}),
        _encode({"o": True, "m": "x"}),
        _encode({"o": 40}),
        _encode({"o": 40, "m": "x", "extra": 1}),
        _encode({"o": -1, "m": "x"}),
        "W" * 400,
        _encode("[" * 300),
    ],
)
def test_malformed_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        CODEC.decode(cursor, SCOPE)
