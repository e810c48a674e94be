"""Text analysis: every text is indexed once per language and searched in both.

The filter order matters: stopwords are matched before folding (the French list
is accented), folding happens before stemming so that "securite" and "sécurité"
stem to the same term.
"""

from __future__ import annotations

import tantivy

FRENCH = "townhall_fr"
ENGLISH = "townhall_en"


def _analyzer(language: str) -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword(language))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer(language))
        .build()
    )


def french_analyzer() -> tantivy.TextAnalyzer:
    """Simple tokenizer, lowercase, French stopwords, ASCII folding, French stemmer."""
    return _analyzer("french")


def english_analyzer() -> tantivy.TextAnalyzer:
    """Simple tokenizer, lowercase, English stopwords, ASCII folding, English stemmer."""
    return _analyzer("english")


def register_analyzers(index: tantivy.Index) -> None:
    """Register the analyzers; tantivy does not persist them, so call on every open."""
    index.register_tokenizer(FRENCH, french_analyzer())
    index.register_tokenizer(ENGLISH, english_analyzer())
