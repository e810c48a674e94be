"""The tantivy schema: raw fields for filters and facets, text fields per language."""

from __future__ import annotations

import tantivy

from .analysis import ENGLISH, FRENCH

ID = "id"
DOC_TYPE = "doc_type"
POST_ID = "post_id"
KIND = "kind"
SPACE_ID = "space_id"
AUTHOR_ID = "author_id"
STATE = "state"
AUTHORITY = "authority"
TAGS = "tags"
READERS = "readers"
VERSION = "version"
CREATED_AT = "created_at"
UPDATED_AT = "updated_at"
# The French text fields also keep the original text for hits and snippets.
TITLE_FR = "title_fr"
BODY_FR = "body_fr"
TITLE_EN = "title_en"
BODY_EN = "body_en"

TEXT_FIELDS: tuple[str, ...] = (TITLE_FR, BODY_FR, TITLE_EN, BODY_EN)
TITLE_BOOST = 2.0


def build_schema() -> tantivy.Schema:
    """The schema of a Townhall index (changing it requires a rebuild)."""
    builder = tantivy.SchemaBuilder()
    # Fast raw fields feed the terms aggregations behind facets.
    for name in (ID, DOC_TYPE, KIND, SPACE_ID, AUTHOR_ID, STATE):
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in (POST_ID, AUTHORITY, TAGS, READERS):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_unsigned_field(VERSION, stored=True, indexed=True, fast=True)
    builder.add_date_field(CREATED_AT, stored=True, indexed=True, fast=True)
    builder.add_date_field(UPDATED_AT, stored=True, indexed=True, fast=True)
    builder.add_text_field(TITLE_FR, stored=True, tokenizer_name=FRENCH)
    builder.add_text_field(BODY_FR, stored=True, tokenizer_name=FRENCH)
    builder.add_text_field(TITLE_EN, tokenizer_name=ENGLISH)
    builder.add_text_field(BODY_EN, tokenizer_name=ENGLISH)
    return builder.build()
