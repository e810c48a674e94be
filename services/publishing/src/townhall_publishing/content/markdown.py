"""Markdown to safe HTML with markdown-it-py, then sanitized by nh3 (Ammonia).

The Markdown source is stored as written; the HTML is what clients render. Raw HTML in
the source is not interpreted by the parser (`html=False`), and whatever comes out is
cleaned again by an allow-list sanitizer, so `<script>`, event handlers and
`javascript:` links never reach a reader.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

# `@alice`, `@jean-pierre`, `@a.b`: the subject ids of the directory.
MENTION_PATTERN = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9._-]{0,62}[a-z0-9]|[a-z0-9])", re.I)
_MAX_MENTIONS = 50

_ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def render_markdown(source: str) -> str:
    """Safe HTML for a Markdown body: parsed without raw HTML, then allow-list sanitized."""
    html = _parser.render(source)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def extract_mentions(source: str) -> list[str]:
    """The distinct subjects mentioned as `@id`, in order of first mention, lower-cased."""
    seen: dict[str, None] = {}
    for match in MENTION_PATTERN.finditer(source):
        seen.setdefault(match.group(1).lower(), None)
        if len(seen) >= _MAX_MENTIONS:
            break
    return list(seen)
