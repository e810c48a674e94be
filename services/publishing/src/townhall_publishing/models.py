"""Every publishing table, imported together so the metadata is complete."""

from __future__ import annotations

from .database import metadata
from .feeds.models import FeedToken
from .moderation.models import ModerationAction, Report
from .objectives.models import Objective, ObjectiveChange, ObjectivePoint
from .outbox.models import OutboxEvent
from .posts.models import (
    Acknowledgement,
    Comment,
    Post,
    PostMedia,
    PostReader,
    PostStep,
    PostVersion,
    PostView,
    Reaction,
)
from .spaces.models import Space

__all__ = [
    "Acknowledgement",
    "Comment",
    "FeedToken",
    "ModerationAction",
    "Objective",
    "ObjectiveChange",
    "ObjectivePoint",
    "OutboxEvent",
    "Post",
    "PostMedia",
    "PostReader",
    "PostStep",
    "PostVersion",
    "PostView",
    "Reaction",
    "Report",
    "Space",
    "metadata",
]
