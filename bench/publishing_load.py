"""The requests of the publishing load, importable cheaply by the load generator's process."""

from __future__ import annotations

from typing import Any

BODY = "Retour d'expérience sur la **mise en production** de la semaine, merci @bob."


def create_social_post(n: int, user: str) -> tuple[str, str, Any]:
    body = {"space_id": "engineering", "kind": "social", "title": f"Load {n}", "body": BODY}
    return "POST", "/v1/posts", body


def read_feed_page(n: int, user: str) -> tuple[str, str, Any]:
    return "GET", "/v1/feed?limit=20", None
