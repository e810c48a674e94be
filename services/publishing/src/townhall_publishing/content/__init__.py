"""Post and comment bodies: Markdown rendered to safe HTML, and the `@mentions` in them."""

from .markdown import MENTION_PATTERN, extract_mentions, render_markdown

__all__ = ["MENTION_PATTERN", "extract_mentions", "render_markdown"]
