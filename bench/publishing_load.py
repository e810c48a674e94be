"""The requests of the publishing load, importable cheaply by the load generator's process."""

from __future__ import annotations

from typing import Any

BODY = "Retour d'expérience sur la **mise en production** de la semaine, merci @bob."


def create_social_post(n: int, user: str) -> tuple[str, str, Any]:
    body = {"space_id": "engineering", "kind": "social", "title": f"Load {n}", "body": BODY}
    return "POST", "/v1/posts", body


def read_feed_page(n: int, user: str) -> tuple[str, str, Any]:
    return "GET", "/v1/feed?limit=20", None


class ReadPost:
    """`GET /v1/posts/{id}` over a list of posts every user may read (picklable)."""

    def __init__(self, post_ids: list[str]) -> None:
        self.post_ids = post_ids

    def __call__(self, n: int, user: str) -> tuple[str, str, Any]:
        return "GET", f"/v1/posts/{self.post_ids[n % len(self.post_ids)]}", None


def decide_read(n: int, user: str) -> tuple[str, str, Any]:
    """A user asking policy about themselves: allowed, so no decision-log write waits."""
    return "POST", "/v1/decisions", {"subject": user, "action": "read", "domain": "space:cafe"}


def search_posts(n: int, user: str) -> tuple[str, str, Any]:
    return "GET", "/v1/search?q=production", None


def floor_bare(n: int, user: str) -> tuple[str, str, Any]:
    return "GET", "/ok", None


def floor_rows(n: int, user: str) -> tuple[str, str, Any]:
    return "GET", "/posts", None
