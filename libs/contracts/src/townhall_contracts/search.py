"""The search service's contract: index events in, hits out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from townhall_platform.params import Instant, NonNegativeInt, PositiveInt

# The text of a post's attachments a search document carries, at most: with the post
# itself it stays well within the event bus's largest message (1 MB).
ATTACHMENT_TEXT_MAX_CHARS = 200_000


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
    # The text of the post's attachments (PDF, DOCX), searched like its body.
    attachment_text: str = Field(default="", max_length=ATTACHMENT_TEXT_MAX_CHARS)
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
    # An official post communications staff attached to words of this query: shown first.
    best_bet: bool = False


class FacetBucket(BaseModel):
    value: str
    count: int


class SearchResults(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]]
    next_cursor: str | None = None
    # The query with its unknown words corrected from what the caller may read, or None.
    did_you_mean: str | None = None
    # Names a first page of a non-empty query: reported back when a result is opened
    # (`POST /v1/searches/{search_id}/opened`), tied to no user.
    search_id: str | None = None


# A vocabulary term: one or more words (a synonym, an acronym, a translation).
VocabularyTerm = Annotated[str, Field(min_length=1, max_length=100, pattern=r"\w")]


class BestBet(BaseModel):
    """Official posts shown first, marked, to readers who may read them, for queries
    holding one of the keywords."""

    model_config = ConfigDict(extra="forbid")

    keywords: list[VocabularyTerm] = Field(min_length=1, max_length=20)
    post_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=5
    )


class VocabularyUpdate(BaseModel):
    """The whole vocabulary, replacing the current one, which must be `version`."""

    model_config = ConfigDict(extra="forbid")

    version: NonNegativeInt
    groups: list[Annotated[list[VocabularyTerm], Field(max_length=50)]] = Field(max_length=5000)
    best_bets: list[BestBet] = Field(default_factory=list, max_length=1000)


class VocabularyRead(BaseModel):
    """One version of the vocabulary: groups of equivalent terms, and best bets."""

    version: NonNegativeInt
    groups: list[list[str]]
    best_bets: list[BestBet]
    updated_by: str | None = None
    updated_at: datetime | None = None


class VocabularyHistory(BaseModel):
    """Every version, newest first."""

    versions: list[VocabularyRead]


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
