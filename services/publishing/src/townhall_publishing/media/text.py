"""The text of a document, for search: PDF through pypdf, DOCX through python-docx.

A document these libraries cannot open at all is refused (`UnreadableMedia`): its
bytes only pretend to be one. A page whose text cannot be extracted is skipped, and an
encrypted PDF gives no text: the file is kept, found by its post's own words only.
Other office documents give no text. The text is cut at `max_chars`, and a PDF is read
for its first `MAX_PAGES` pages at most, which bounds the time an upload takes.
"""

from __future__ import annotations

import io
import logging
import re

import docx
import pypdf
from pypdf.errors import PyPdfError

from .content import DOCX, PDF
from .errors import UnreadableMedia

MAX_PAGES = 300
# NUL and other control characters (PostgreSQL refuses NUL in text), tabs and line ends kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# pypdf reports each oddity of a damaged file as a warning in its log: noise here.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_text(data: bytes, *, content_type: str, max_chars: int) -> str:
    """The document's text, at most `max_chars` characters ("" for other types)."""
    if content_type == PDF:
        text = _pdf_text(data, max_chars)
    elif content_type == DOCX:
        text = _docx_text(data, max_chars)
    else:
        return ""
    return _CONTROL.sub(" ", text)[:max_chars].strip()


def _pdf_text(data: bytes, max_chars: int) -> str:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return ""
        pages = reader.pages
        count = len(pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableMedia("The PDF cannot be read.") from exc
    parts: list[str] = []
    length = 0
    for number in range(min(count, MAX_PAGES)):
        if length >= max_chars:
            break
        try:
            part = pages[number].extract_text()
        except Exception:
            continue
        parts.append(part)
        length += len(part)
    return "\n".join(parts)


def _docx_text(data: bytes, max_chars: int) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise UnreadableMedia("The document cannot be read.") from exc
    parts: list[str] = []
    length = 0
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        blocks += [cell.text for row in table.rows for cell in row.cells]
    for block in blocks:
        if length >= max_chars:
            break
        parts.append(block)
        length += len(block) + 1
    return "\n".join(parts)
