"""Announcements for chat channels: a Teams Adaptive Card (Workflows) and Slack Block Kit.

They carry what a channel may see of an official post: its title, authority, summary and
a link; never its body. Only posts of a public space with no narrower audience are
announced (the subscription is refused for a restricted space), so a channel never gets
content its members may not read.
"""

from __future__ import annotations

import json
from typing import Any

from townhall_contracts.events import PostPublished

FORMATS = ("standard", "teams", "slack")


def announceable(post: PostPublished) -> bool:
    return post.kind == "official" and not post.audience_groups and not post.audience_spaces


def teams_card(post: PostPublished, link: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": post.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if post.authority:
        body.append({"type": "TextBlock", "text": post.authority, "isSubtle": True, "wrap": True})
    body.append({"type": "TextBlock", "text": post.summary, "wrap": True})
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open in Townhall", "url": link}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def slack_blocks(post: PostPublished, link: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": post.title[:150]}}
    ]
    if post.authority:
        blocks.append(
            {"type": "context", "elements": [{"type": "plain_text", "text": post.authority}]}
        )
    blocks.append({"type": "section", "text": {"type": "plain_text", "text": post.summary}})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open in Townhall"},
                    "url": link,
                }
            ],
        }
    )
    return {"text": post.title, "blocks": blocks}


def announcement(format: str, post: PostPublished, portal_url: str) -> str:
    link = f"{portal_url.rstrip('/')}/posts/{post.post_id}"
    card = teams_card(post, link) if format == "teams" else slack_blocks(post, link)
    return json.dumps(card, separators=(",", ":"))
