"""What OpenSearch stores: the index's settings and mapping, and the document each
index event writes.

Texts go to the fields of their detected language, analyzed by OpenSearch's
built-in `french` analyzer (elision, lowercase, stopwords, light stemmer, which
also folds French accents) and `english` analyzer (possessives, stopwords,
Porter stemmer); the `*_folded` fields (standard tokenizer, lowercase, ASCII
folding) serve prefixes and suggestions. Apostrophes are also followed by a
space before indexing: the `elision` filter then only confirms what the split
did, and servers without that filter (osmem, used by the tests) analyze French
the same way. Custom analyzer chains are avoided on purpose: osmem mis-analyzes
queries on a custom chain with a stemmer (every query matches), the built-in
analyzers behave.

A deletion is written as a tombstone document (no readers, `tombstone: true`)
rather than a delete, because OpenSearch forgets a deleted document's version after
`index.gc_deletes` (60 s) and a late older upsert would then bring it back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from townhall_contracts.search import IndexEvent, IndexOperation

from .language import Language, detect_languages
from .shared import WATERMARK_ID, month_of, searchable_body, utc

_APOSTROPHE = re.compile(r"(['\u2019\u02bc])")
LANGUAGES = (Language.FRENCH.value, Language.ENGLISH.value)

_TEXT = {"type": "text", "index": False}
_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}

INDEX_BODY: dict[str, Any] = {
    "settings": {
        "number_of_shards": 1,
        "analysis": {
            "analyzer": {
                "townhall_folded": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding"],
                },
            },
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            **{
                name: _KEYWORD
                for name in (
                    "doc_type",
                    "post_id",
                    "kind",
                    "space_id",
                    "author_id",
                    "state",
                    "month",
                    "language",
                    "authority",
                    "tags",
                    "readers",
                )
            },
            "tombstone": {"type": "boolean"},
            "created_at": _DATE,
            "updated_at": _DATE,
            "indexed_at": _DATE,
            "title": _TEXT,
            "title_fr": {"type": "text", "analyzer": "french"},
            "body_fr": {"type": "text", "analyzer": "french"},
            "title_en": {"type": "text", "analyzer": "english"},
            "body_en": {"type": "text", "analyzer": "english"},
            "title_folded": {"type": "text", "analyzer": "townhall_folded"},
            "body_folded": {"type": "text", "analyzer": "townhall_folded"},
        },
    },
}


def text_fields(kind: str) -> list[str]:
    """The fields of `kind` (`title` or `body`) in every language."""
    return [f"{kind}_{lang}" for lang in LANGUAGES]


def split_elisions(text: str) -> str:
    """`l'été` becomes `l' été`, so the elided article is a word of its own."""
    return _APOSTROPHE.sub(r"\1 ", text)


def actions_of(events: Sequence[IndexEvent]) -> list[dict[str, Any]]:
    """The bulk action each event writes, in order; stale versions are refused by OpenSearch."""
    indexed_at = datetime.now(UTC).isoformat()
    contents = [
        event.document
        for event in events
        if event.op is IndexOperation.UPSERT and event.document and event.document.readers
    ]
    languages = iter(detect_languages([(doc.title, doc.body) for doc in contents]))
    actions = []
    for event in events:
        document = event.document
        source: dict[str, Any] = {"indexed_at": indexed_at, "tombstone": True}
        if event.op is IndexOperation.UPSERT and document and document.readers:
            language = next(languages).value
            title = split_elisions(document.title)
            body = split_elisions(searchable_body(document))
            source = {
                "indexed_at": indexed_at,
                "tombstone": False,
                "doc_type": document.doc_type.value,
                "post_id": document.post_id,
                "kind": document.kind,
                "space_id": document.space_id,
                "author_id": document.author_id,
                "state": document.state,
                "month": month_of(document.created_at),
                "language": language,
                "authority": document.authority,
                "tags": document.tags,
                "readers": sorted(set(document.readers)),
                "created_at": utc(document.created_at).isoformat(),
                "updated_at": utc(document.updated_at).isoformat(),
                "title": document.title,
                f"title_{language}": title,
                f"body_{language}": body,
                "title_folded": title,
                "body_folded": body,
            }
        actions.append(
            {
                "_op_type": "index",
                "_id": event.doc_id,
                "version": event.version,
                "version_type": "external",
                "_source": source,
            }
        )
    return actions


def watermark_action(watermark: int) -> dict[str, Any]:
    # A tombstone whose external version is the watermark: OpenSearch keeps the highest.
    return {
        "_op_type": "index",
        "_id": WATERMARK_ID,
        "version": watermark,
        "version_type": "external",
        "_source": {"indexed_at": datetime.now(UTC).isoformat(), "tombstone": True},
    }
