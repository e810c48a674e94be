"""Text analysis: each document in its own language, queries in both.

French and English fields use the simple tokenizer (apostrophes split words, and
the French stopwords then drop the elided `l`, `d`, `qu`, `j`…), lowercase,
stopwords, ASCII folding and the language's stemmer. The filter order matters:
stopwords are matched before folding (the French list is accented), folding
happens before stemming so that "securite" and "sécurité" stem alike. The folded
fields keep whole words (lowercase, no accents, no stemming) for prefix matching.
"""

from __future__ import annotations

from functools import lru_cache

import tantivy

FRENCH = "townhall_fr"
ENGLISH = "townhall_en"
FOLDED = "townhall_folded"
_MAX_TOKEN_BYTES = 64


def _builder() -> tantivy.TextAnalyzerBuilder:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(_MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
    )


def _language_analyzer(language: str) -> tantivy.TextAnalyzer:
    return (
        _builder()
        .filter(tantivy.Filter.stopword(language))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer(language))
        .build()
    )


@lru_cache(maxsize=1)
def french_analyzer() -> tantivy.TextAnalyzer:
    """Simple tokenizer, lowercase, French stopwords, ASCII folding, French stemmer."""
    return _language_analyzer("french")


@lru_cache(maxsize=1)
def english_analyzer() -> tantivy.TextAnalyzer:
    """Simple tokenizer, lowercase, English stopwords, ASCII folding, English stemmer."""
    return _language_analyzer("english")


@lru_cache(maxsize=1)
def folded_analyzer() -> tantivy.TextAnalyzer:
    """Simple tokenizer, lowercase, ASCII folding: whole words for prefixes."""
    return _builder().filter(tantivy.Filter.ascii_fold()).build()


def register_analyzers(index: tantivy.Index) -> None:
    """Register the analyzers; tantivy does not persist them, so call on every open."""
    index.register_tokenizer(FRENCH, french_analyzer())
    index.register_tokenizer(ENGLISH, english_analyzer())
    index.register_tokenizer(FOLDED, folded_analyzer())
