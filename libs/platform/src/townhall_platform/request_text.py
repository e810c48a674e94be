"""Refuse control characters in a request's path and query before any code sees them.

No id, name or filter of Townhall contains a control character, but a client can send
one percent-encoded (`/posts/%00`). Left to reach the code, NUL fails in PostgreSQL
("text fields cannot contain NUL") and in URLs built for another service, each a 500.
Refused here, every path and query parameter of every service is covered at once: the
request is answered by the app's own handler for invalid input (422 problem+json naming
the parameter in the APIs, an error page in the portal). In a path (ids only) every
control character is refused; in a query only NUL, since free text (a pasted search)
may hold others and the code already copes with them.

A JSON body is held to the same rule for NUL: no title, body, justification or id of
Townhall holds one, and PostgreSQL text cannot store it. A JSON string spells NUL
`\u0000` (a raw NUL byte is no valid JSON), so the body, already bounded by the size
limit, is scanned once for that escape before the app reads it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Raw control bytes, or a percent-encoded control character (%00-%1F, %7F).
_SUSPECT = re.compile(rb"[\x00-\x1f\x7f]|%(?:[01][0-9a-fA-F]|7[fF])")
_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_IN_QUERY = re.compile(r"\x00")
# `\u0000` preceded by an even number of backslashes (none included): an escaped NUL, not
# the text "\u0000" written with an escaped backslash.
_NUL_IN_JSON = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _errors(scope: Scope) -> list[dict[str, object]]:
    errors: list[dict[str, object]] = []
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    path = unquote(raw_path.decode("latin-1"))
    if _IN_PATH.search(path) or _IN_PATH.search(scope.get("path", "")):
        errors.append(_error(("path",), "The path contains a control character."))
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if _IN_QUERY.search(value) or _IN_QUERY.search(name):
            errors.append(_error(("query", name), "Contains a NUL character."))
    return errors


def _error(location: tuple[str, ...], message: str) -> dict[str, object]:
    return {"type": "control_character", "loc": location, "msg": message, "input": None}


def _is_json(scope: Scope) -> bool:
    if scope.get("method") not in _WITH_BODY:
        return False
    content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
    return b"json" in content_type.lower()


async def _read_body(receive: Receive) -> list[Message]:
    """Every message of the request body (bounded by the size limit outside)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


class RefuseControlCharacters:
    """ASGI middleware: a path or query holding a control character, or a JSON body
    holding NUL, is invalid input."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = (scope.get("raw_path") or b"") + b"?" + scope.get("query_string", b"")
            # The common case costs one regular-expression scan of the raw bytes.
            if _SUSPECT.search(raw) or _IN_PATH.search(scope.get("path", "")):
                errors = _errors(scope)
                if errors:
                    await _refuse(scope, receive, send, errors)
                    return
            if _is_json(scope):
                messages = await _read_body(receive)
                body = b"".join(m.get("body", b"") for m in messages)
                if b"\\u0000" in body and _NUL_IN_JSON.search(body):
                    error = _error(("body",), "A string contains a NUL character.")
                    await _refuse(scope, receive, send, [error])
                    return
                receive = _replay(messages, receive)
        await self.app(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that answers the messages already read, then the real one."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _refuse(
    scope: Scope, receive: Receive, send: Send, errors: list[dict[str, object]]
) -> None:
    request = Request(scope, receive)
    handler = request.app.exception_handlers[RequestValidationError]
    response = await handler(request, RequestValidationError(errors))
    await response(scope, receive, send)
