"""HTML-safe highlights: the user's text escaped, only <b> marks added."""

from __future__ import annotations

import html

import tantivy


def snippet_html(snippet: tantivy.Snippet) -> str | None:
    """Render a snippet as escaped HTML with <b> around matches; None without matches."""
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if not ranges:
        return None
    # tantivy reports byte offsets into the UTF-8 fragment.
    fragment = snippet.fragment().encode("utf-8")
    parts: list[str] = []
    position = 0
    for start, end in _merge(ranges):
        parts.append(_escape(fragment[position:start]))
        parts.append("<b>" + _escape(fragment[start:end]) + "</b>")
        position = end
    parts.append(_escape(fragment[position:]))
    return "".join(parts)


def _escape(raw: bytes) -> str:
    return html.escape(raw.decode("utf-8", errors="replace"), quote=True)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
