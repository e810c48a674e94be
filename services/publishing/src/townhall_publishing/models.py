"""Every publishing table, imported together so the metadata is complete."""

from __future__ import annotations

from .database import metadata
from .engagement.models import Acknowledgement, PostView, Reaction
from .moderation.models import ModerationAction, Report
from .outbox.models import OutboxEvent
from .posts.models import Comment, Post, PostReader, PostStep, PostVersion
from .spaces.models import Space

__all__ = [
    "Acknowledgement",
    "Comment",
    "ModerationAction",
    "OutboxEvent",
    "Post",
    "PostReader",
    "PostStep",
    "PostVersion",
    "PostView",
    "Reaction",
    "Report",
    "Space",
    "metadata",
]
