"""Markdown bodies: the renderer is publishing's contract (libs/contracts); mentions here."""

from __future__ import annotations

import re

from townhall_contracts.publishing.markdown import render_markdown as render_markdown

# `@alice`, `@jean-pierre`, `@a.b`: the subject ids of the directory.
MENTION_PATTERN = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9._-]{0,62}[a-z0-9]|[a-z0-9])", re.I)
_MAX_MENTIONS = 50


def extract_mentions(source: str) -> list[str]:
    """The distinct subjects mentioned as `@id`, in order of first mention, lower-cased."""
    seen: dict[str, None] = {}
    for match in MENTION_PATTERN.finditer(source):
        seen.setdefault(match.group(1).lower(), None)
        if len(seen) >= _MAX_MENTIONS:
            break
    return list(seen)
