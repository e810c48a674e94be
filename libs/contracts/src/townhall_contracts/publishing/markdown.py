"""How publishing turns a Markdown body into the `body_html` it answers: markdown-it-py,
then the nh3 (Ammonia) allow-list sanitizer.

The Markdown source is stored as written; the HTML is what clients render. One renderer,
here, so that a preview of text not yet posted shows what readers will see. Raw HTML in
the source is not interpreted by the parser (`html=False`), and whatever comes out is
cleaned again by an allow-list sanitizer, so `<script>`, event handlers and
`javascript:` links never reach a reader.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

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
