"""HTML-safe highlights: the user's text escaped, only <b> marks added.

Both engines mark every match in the whole text of a field; the excerpt shown is then
chosen here, from that text and its marks alone. Engines choose excerpts by weighing
terms with statistics of the whole index (tantivy by how many documents hold each
term), which would let documents the caller cannot read decide which part of a
readable one is shown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import tantivy

TITLE_EXCERPT_CHARS = 300
BODY_EXCERPT_CHARS = 240
# Longer than any field: a snippet generator then marks the matches of the whole text.
WHOLE_TEXT_CHARS = 100_000_000

Marks = list[tuple[int, int]]

_TAG = re.compile(r"</?b>")


def marks_of_snippet(text: str, snippet: tantivy.Snippet) -> Marks:
    """The character ranges tantivy marked in `text` (it reports UTF-8 byte offsets)."""
    encoded = text.encode("utf-8")

    def chars(offset: int) -> int:
        return len(encoded[:offset].decode("utf-8", errors="ignore"))

    return [(chars(r.start), chars(r.end)) for r in snippet.highlighted()]


def marks_of_html(marked: str) -> tuple[str, Marks]:
    """The plain text and marked ranges of an HTML-encoded text with <b> marks."""
    text: list[str] = []
    marks: Marks = []
    length = 0
    opened: int | None = None
    position = 0
    for tag in _TAG.finditer(marked):
        piece = html.unescape(marked[position : tag.start()])
        text.append(piece)
        length += len(piece)
        if tag.group() == "<b>":
            opened = length
        elif opened is not None:
            marks.append((opened, length))
            opened = None
        position = tag.end()
    text.append(html.unescape(marked[position:]))
    return "".join(text), marks


def excerpt_html(text: str, marks: Sequence[tuple[int, int]], max_chars: int) -> str | None:
    """At most `max_chars` of `text` around the most marks (the earliest such window),
    escaped, with <b> around the marks; None without marks."""
    merged = _merge(sorted((start, end) for start, end in marks if start < end))
    if not merged:
        return None
    start, end = 0, len(text)
    if len(text) > max_chars:
        best_count, start = -1, 0
        for candidate in [0, *(mark_start for mark_start, _ in merged)]:
            inside = sum(1 for s, e in merged if s >= candidate and e <= candidate + max_chars)
            if inside > best_count:
                best_count, start = inside, candidate
        end = min(len(text), start + max_chars)
        if end < len(text):
            # End on a word boundary, keeping every mark that fits.
            kept_end = max((e for s, e in merged if s >= start and e <= end), default=start)
            space = text.rfind(" ", kept_end, end)
            if space > start:
                end = space
    parts: list[str] = []
    position = start
    for mark_start, mark_end in merged:
        mark_start, mark_end = max(mark_start, start), min(mark_end, end)
        if mark_start >= mark_end:
            continue
        parts.append(_escape(text[position:mark_start]))
        parts.append("<b>" + _escape(text[mark_start:mark_end]) + "</b>")
        position = mark_end
    parts.append(_escape(text[position:end]))
    rendered = "".join(parts).strip()
    return rendered if "<b>" in rendered else None


def _escape(raw: str) -> str:
    return html.escape(raw, quote=True)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
