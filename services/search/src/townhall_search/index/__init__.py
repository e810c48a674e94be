"""The search index: a backend-neutral protocol and its tantivy implementation."""

from .backend import FACET_FIELDS, ApplyOutcome, IndexBackend, SearchPage, SearchQuery
from .tantivy_backend import IndexSchemaMismatch, TantivyIndex, create_index

__all__ = [
    "FACET_FIELDS",
    "ApplyOutcome",
    "IndexBackend",
    "IndexSchemaMismatch",
    "SearchPage",
    "SearchQuery",
    "TantivyIndex",
    "create_index",
]
