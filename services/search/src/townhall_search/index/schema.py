"""The tantivy schema: raw fields for filters and facets, text fields per language."""

from __future__ import annotations

import tantivy

from .analysis import ENGLISH, FOLDED, FRENCH

ID = "id"
DOC_TYPE = "doc_type"
POST_ID = "post_id"
KIND = "kind"
SPACE_ID = "space_id"
AUTHOR_ID = "author_id"
STATE = "state"
MONTH = "month"
LANGUAGE = "language"
AUTHORITY = "authority"
TAGS = "tags"
READERS = "readers"
VERSION = "version"
CREATED_AT = "created_at"
UPDATED_AT = "updated_at"
INDEXED_AT = "indexed_at"
# A document's text goes to the fields of its detected language only.
TITLE = {"fr": "title_fr", "en": "title_en"}
BODY = {"fr": "body_fr", "en": "body_en"}
TITLE_FOLDED = "title_folded"
BODY_FOLDED = "body_folded"


def build_schema() -> tantivy.Schema:
    """The schema of a Townhall index (changing it requires a rebuild)."""
    builder = tantivy.SchemaBuilder()
    # Fast raw fields feed the terms aggregations behind facets.
    for name in (ID, DOC_TYPE, KIND, SPACE_ID, AUTHOR_ID, STATE, MONTH, LANGUAGE):
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in (POST_ID, AUTHORITY, TAGS, READERS):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_unsigned_field(VERSION, stored=True, indexed=True, fast=True)
    for name in (CREATED_AT, UPDATED_AT, INDEXED_AT):
        builder.add_date_field(name, stored=True, indexed=True, fast=True)
    builder.add_text_field(TITLE["fr"], stored=True, tokenizer_name=FRENCH)
    builder.add_text_field(BODY["fr"], stored=True, tokenizer_name=FRENCH)
    builder.add_text_field(TITLE["en"], stored=True, tokenizer_name=ENGLISH)
    builder.add_text_field(BODY["en"], stored=True, tokenizer_name=ENGLISH)
    builder.add_text_field(TITLE_FOLDED, tokenizer_name=FOLDED, index_option="freq")
    builder.add_text_field(BODY_FOLDED, tokenizer_name=FOLDED, index_option="freq")
    return builder.build()
