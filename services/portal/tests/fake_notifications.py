"""A stand-in for the notifications service's inbox API, run as a process of its own:
`python fake_notifications.py PORT`.

It answers as the service's contract says (`townhall_contracts.notifications`): each
caller (the `sub` of their bearer token, read without verifying it: the portal's own
checks are what the tests are about) has the inbox seeded below; `POST /_fail` makes
every later call answer 500, to play a service that broke.
"""

from __future__ import annotations

import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = 2
# Newest first, as the service orders them.
SEED: dict[str, list[dict[str, Any]]] = {
    "alice": [
        {"id": 13, "kind": "mention", "post_id": "p3", "title": "Sprint review", "read": False},
        {"id": 12, "kind": "official_post", "post_id": "p2", "title": "Badges", "read": False},
        {"id": 11, "kind": "reply", "post_id": "p1", "title": "Parking", "read": True},
    ],
    "bob": [{"id": 21, "kind": "reply", "post_id": "p9", "title": "Bob's", "read": False}],
}


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        **raw,
        "space_id": "general",
        "excerpt": f"About {raw['title']}",
        "actor_id": "claire",
        "created_at": f"2026-12-07T10:{raw['id']:02d}:00Z",
        "link": f"/posts/{raw['post_id']}",
    }


class Inboxes:
    def __init__(self) -> None:
        self.items = {user: [_item(raw) for raw in items] for user, items in SEED.items()}
        self.failing = False

    def unread(self, user: str) -> int:
        return sum(not item["read"] for item in self.items.get(user, []))


STATE = Inboxes()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        problem = status >= 400
        self.send_header(
            "content-type", "application/problem+json" if problem else "application/json"
        )
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _problem(self, status: int, detail: str) -> None:
        self._answer(
            status, {"type": "about:blank", "title": detail, "status": status, "detail": detail}
        )

    def _caller(self) -> str | None:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.count(".") != 2:
            return None
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("sub"))

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/healthz":
            return self._answer(200, {"status": "ok"})
        user = self._caller()
        if STATE.failing:
            return self._problem(500, "broken")
        if user is None:
            return self._problem(401, "no token")
        if path == "/v1/inbox/unread":
            return self._answer(200, {"unread": STATE.unread(user)})
        if path == "/v1/inbox":
            params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
            cursor = params.get("cursor", "0")
            if not cursor.isdigit():
                return self._problem(400, "invalid cursor")
            start = int(cursor)
            items = STATE.items.get(user, [])
            following = start + PAGE if start + PAGE < len(items) else None
            page = {
                "unread": STATE.unread(user),
                "items": items[start : start + PAGE],
                "next_cursor": str(following) if following is not None else None,
            }
            return self._answer(200, page)
        return self._problem(404, "no route")

    def do_POST(self) -> None:
        if self.path == "/_fail":
            STATE.failing = True
            return self._answer(200, {})
        user = self._caller()
        if STATE.failing:
            return self._problem(500, "broken")
        if user is None:
            return self._problem(401, "no token")
        items = STATE.items.get(user, [])
        if self.path == "/v1/inbox/read-all":
            marked = STATE.unread(user)
            for item in items:
                item["read"] = True
            return self._answer(200, {"marked": marked})
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["v1", "inbox"] and parts[3] == "read":
            for item in items:
                if str(item["id"]) == parts[2]:
                    item["read"] = True
                    return self._answer(200, item)
            return self._problem(404, "no such notification")
        return self._problem(404, "no route")


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
