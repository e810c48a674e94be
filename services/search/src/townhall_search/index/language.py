"""Which language a document is written in: French or English, nothing else.

lingua is restricted to the two languages Townhall analyzes and runs in its low
accuracy mode (trigrams only) on the first 120 characters of the title and body:
telling French from English needs no more, and detection time grows with the
sample, which matters for bulk rebuilds (shorter samples start to misjudge short
posts). A document with too little text to tell is treated as French, the company's
first language.

Most posts say which language they are in through their most common function words
(`les`, `des`, `est` / `the`, `and`, `is`): counting those decides a clear majority at a
fraction of lingua's cost, and lingua decides the rest (short or mixed texts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

# Enough text to decide (see above); detection time grows with the sample.
_SAMPLE_CHARS = 120
# Frequent function words of one language that the other does not use as words
# (`a`, `on` and `en` are in both, so in neither list).
_FRENCH_WORDS = frozenset([
    "le", "la", "les", "des", "du", "de", "et", "est", "une", "un", "pour", "dans", "pas",
    "que", "qui", "sur", "au", "aux", "avec", "nous", "vous", "ce", "cette", "ces", "sont",
    "il", "elle", "ils", "par", "plus", "mais", "ou", "été", "être", "leur", "notre", "nos",
    "votre", "vos",
])  # fmt: skip
_ENGLISH_WORDS = frozenset([
    "the", "and", "of", "to", "is", "for", "in", "with", "are", "this", "that", "we", "you",
    "it", "be", "was", "will", "from", "at", "our", "by", "an", "as", "have", "has", "not",
    "but", "or", "been", "their", "your", "they", "which",
])  # fmt: skip
# A language is clear with at least this many of its words and twice the other's.
_CLEAR_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+")


class Language(StrEnum):
    FRENCH = "fr"
    ENGLISH = "en"


DEFAULT_LANGUAGE = Language.FRENCH


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return (
        LanguageDetectorBuilder.from_languages(LinguaLanguage.FRENCH, LinguaLanguage.ENGLISH)
        .with_low_accuracy_mode()
        .build()
    )


def _sample(title: str, body: str) -> str:
    return f"{title}\n{body}"[:_SAMPLE_CHARS]


def detect_language(title: str, body: str) -> Language:
    """The language of one document."""
    return detect_languages([(title, body)])[0]


def _clear_language(sample: str) -> Language | None:
    """The language the function words of `sample` clearly point to, else None."""
    french = english = 0
    for word in _WORD.findall(sample.lower()):
        french += word in _FRENCH_WORDS
        english += word in _ENGLISH_WORDS
    if french >= _CLEAR_WORDS and french >= 2 * english:
        return Language.FRENCH
    if english >= _CLEAR_WORDS and english >= 2 * french:
        return Language.ENGLISH
    return None


def detect_languages(texts: Sequence[tuple[str, str]]) -> list[Language]:
    """The language of each (title, body); lingua, in parallel, for the unclear ones."""
    samples = [_sample(title, body) for title, body in texts]
    languages = [_clear_language(sample) for sample in samples]
    unclear = [i for i, language in enumerate(languages) if language is None]
    if unclear:
        found = _detector().detect_languages_in_parallel_of([samples[i] for i in unclear])
        for i, language in zip(unclear, found, strict=True):
            languages[i] = (
                Language.ENGLISH if language == LinguaLanguage.ENGLISH else DEFAULT_LANGUAGE
            )
    return [language or DEFAULT_LANGUAGE for language in languages]
