"""The search service's contract: index events in, hits out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from townhall_platform.params import Instant, NonNegativeInt, PositiveInt


class DocumentType(StrEnum):
    POST = "post"
    COMMENT = "comment"


class IndexDocument(BaseModel):
    """What search needs of a post or comment; built by publishing."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    doc_type: DocumentType
    post_id: str | None = None
    kind: str = Field(pattern=r"^(social|official)$")
    space_id: str
    author_id: str
    title: str = ""
    body: str = ""
    authority: str | None = None
    tags: list[str] = Field(default_factory=list)
    # Subjects mentioned as `@user` in the body (publishing extracts them).
    mentions: list[str] = Field(default_factory=list)
    state: str
    readers: list[str]
    created_at: Instant
    updated_at: Instant
    # What vouches for the text. A post: the revision of its text (1 as first written, one
    # more per edit by its author) and who endorsed and pinned that revision. A comment:
    # the revision of its post it was written under, and, for an official answer, whether
    # the post was edited since (the answer then no longer vouches for the post's text).
    revision: PositiveInt | None = None
    endorsed_by: str | None = None
    pinned_by: str | None = None
    post_edited_since: bool | None = None


class IndexOperation(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class IndexEvent(BaseModel):
    """One change to apply; `version` only ever grows per document."""

    model_config = ConfigDict(extra="forbid")

    event_id: NonNegativeInt
    op: IndexOperation
    doc_id: str = Field(min_length=1, max_length=128)
    version: PositiveInt
    document: IndexDocument | None = None


class IndexBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[IndexEvent] = Field(min_length=1, max_length=5000)


class IndexBatchResult(BaseModel):
    applied: int
    skipped: int
    last_event_id: int


class Hit(BaseModel):
    id: str
    doc_type: DocumentType
    post_id: str | None = None
    kind: str
    space_id: str
    author_id: str
    title: str
    score: float
    created_at: datetime
    highlights: dict[str, list[str]]


class FacetBucket(BaseModel):
    value: str
    count: int


class SearchResults(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]]
    next_cursor: str | None = None


class ExportedDocument(BaseModel):
    """A document as publishing holds it now, with its version (no readers: a tombstone)."""

    version: PositiveInt
    document: IndexDocument


class DocumentExportPage(BaseModel):
    """One page of publishing's documents, for a full rebuild of the search index."""

    documents: list[ExportedDocument]
    total: int
    next_after: str | None = None


class ExportSummary(BaseModel):
    """What search must hold, by publishing's outbox: search checks its index against it.

    `delivered_through` is the last event search acknowledged (events are delivered in
    order); `documents_through` the number of documents (tombstones included) that the
    events up to `through` name, when `through` was asked for.
    """

    head: int
    delivered_through: int
    through: int | None = None
    documents_through: int | None = None
