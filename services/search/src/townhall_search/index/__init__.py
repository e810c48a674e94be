"""The search index: a backend-neutral protocol, its tantivy and OpenSearch engines."""

from .backend import (
    FACET_FIELDS,
    ApplyOutcome,
    IndexBackend,
    NoRebuild,
    RebuildInProgress,
    SearchPage,
    SearchQuery,
    SortOrder,
    Suggestion,
)
from .tantivy_backend import TantivyIndex
from .tantivy_generations import IndexSchemaMismatch, create_index

__all__ = [
    "FACET_FIELDS",
    "ApplyOutcome",
    "IndexBackend",
    "IndexSchemaMismatch",
    "NoRebuild",
    "RebuildInProgress",
    "SearchPage",
    "SearchQuery",
    "SortOrder",
    "Suggestion",
    "TantivyIndex",
    "create_index",
]
