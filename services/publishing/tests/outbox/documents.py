"""The search document the outbox tests append: a social post every employee reads."""

from __future__ import annotations

from townhall_contracts.search import DocumentType, IndexDocument
from townhall_publishing.database import utcnow


def social_document(doc_id: str, *, title: str = "t", body: str = "b") -> IndexDocument:
    now = utcnow()
    return IndexDocument(
        id=doc_id,
        doc_type=DocumentType.POST,
        kind="social",
        space_id="engineering",
        author_id="alice",
        title=title,
        body=body,
        state="published",
        readers=["org"],
        created_at=now,
        updated_at=now,
    )
