"""The tantivy documents written for index events: content in its language's fields,
tombstones, and the watermark document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import tantivy

from townhall_contracts.search import IndexDocument, IndexEvent, IndexOperation

from . import schema as f
from .language import Language, detect_languages
from .shared import WATERMARK_ID, month_of, searchable_body, utc


def documents_of(events: Sequence[IndexEvent]) -> dict[int, tantivy.Document]:
    """The document each event writes, by its position in `events`."""
    indexed_at = datetime.now(UTC)
    contents = [
        (position, event.document)
        for position, event in enumerate(events)
        if event.op is IndexOperation.UPSERT
        and event.document is not None
        and event.document.readers
    ]
    languages = detect_languages([(doc.title, doc.body) for _, doc in contents])
    language_of = {position: lang for (position, _), lang in zip(contents, languages, strict=True)}
    documents: dict[int, tantivy.Document] = {}
    for position, event in enumerate(events):
        doc = tantivy.Document()
        doc.add_text(f.ID, event.doc_id)
        doc.add_unsigned(f.VERSION, event.version)
        doc.add_date(f.INDEXED_AT, indexed_at)
        if position in language_of and event.document is not None:
            _add_content(doc, event.document, language_of[position])
        # Otherwise a tombstone: it keeps the version so an older upsert cannot
        # bring the document back, and without readers it never matches a search.
        documents[position] = doc
    return documents


def watermark_document(watermark: int) -> tantivy.Document:
    # Like a tombstone (no readers, so no search matches it); its version is the watermark.
    doc = tantivy.Document()
    doc.add_text(f.ID, WATERMARK_ID)
    doc.add_unsigned(f.VERSION, watermark)
    doc.add_date(f.INDEXED_AT, datetime.now(UTC))
    return doc


def _add_content(doc: tantivy.Document, document: IndexDocument, language: Language) -> None:
    doc.add_text(f.DOC_TYPE, document.doc_type.value)
    if document.post_id:
        doc.add_text(f.POST_ID, document.post_id)
    doc.add_text(f.KIND, document.kind)
    doc.add_text(f.SPACE_ID, document.space_id)
    doc.add_text(f.AUTHOR_ID, document.author_id)
    doc.add_text(f.STATE, document.state)
    doc.add_text(f.LANGUAGE, language.value)
    doc.add_text(f.MONTH, month_of(document.created_at))
    if document.authority:
        doc.add_text(f.AUTHORITY, document.authority)
    for tag in document.tags:
        doc.add_text(f.TAGS, tag)
    for reader in sorted(set(document.readers)):
        doc.add_text(f.READERS, reader)
    doc.add_date(f.CREATED_AT, utc(document.created_at))
    doc.add_date(f.UPDATED_AT, utc(document.updated_at))
    doc.add_text(f.TITLE[language.value], document.title)
    body = searchable_body(document)
    doc.add_text(f.BODY[language.value], body)
    doc.add_text(f.TITLE_FOLDED, document.title)
    doc.add_text(f.BODY_FOLDED, body)
