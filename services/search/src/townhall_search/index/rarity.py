"""How much a query word says: common words of everyday language ("comment", "how",
"policy", "nouveau") weigh less than rare ones ("télétravail", "mutuelle").

The table comes from general language (wordfreq's Zipf scale, written by
`bench/relevance/common_words.py`), never from the index: a word's weight is the same
for every caller and reveals nothing about any document.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .query_text import fold

# Words at most this common (Zipf, 10x) weigh fully; at least COMMON_ZIPF, MIN_WEIGHT.
RARE_ZIPF = 35
COMMON_ZIPF = 70
MIN_WEIGHT = 0.25


@lru_cache(maxsize=1)
def _table() -> dict[str, int]:
    text = resources.files(__package__).joinpath("data/common_words.txt").read_text()
    table = {}
    for line in text.splitlines():
        word, _, value = line.partition(" ")
        table[word] = int(value)
    return table


# Words that ask rather than say what about: "comment poser des congés ?" is about congés.
QUESTION_WORDS = frozenset(
    (
        *("comment", "quand", "pourquoi", "ou", "quel", "quelle", "quels", "quelles", "qui"),
        *("quoi", "combien", "puis", "peut", "peux", "faut", "dois"),
        *("how", "what", "when", "where", "why", "which", "who", "whom", "can", "could"),
        *("should", "do", "does", "did", "is", "are", "may"),
    )
)
QUESTION_WEIGHT = 0.1


@lru_cache(maxsize=4096)
def word_weight(word: str) -> float:
    """Between `MIN_WEIGHT` (the commonest words) and 1 (rare words, names, jargon)."""
    if fold(word) in QUESTION_WORDS:
        return QUESTION_WEIGHT
    zipf = _table().get(fold(word), 0)
    if zipf <= RARE_ZIPF:
        return 1.0
    if zipf >= COMMON_ZIPF:
        return MIN_WEIGHT
    share = (zipf - RARE_ZIPF) / (COMMON_ZIPF - RARE_ZIPF)
    return 1.0 - share * (1.0 - MIN_WEIGHT)
