"""Every publishing table, imported together so the metadata is complete."""

from __future__ import annotations

from .database import metadata
from .outbox.models import OutboxEvent
from .posts.models import Comment, Post, PostReader
from .spaces.models import Space

__all__ = ["Comment", "OutboxEvent", "Post", "PostReader", "Space", "metadata"]
