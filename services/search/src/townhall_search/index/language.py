"""Which language a document is written in: French or English, nothing else.

lingua is restricted to the two languages Townhall analyzes and runs in its low
accuracy mode (trigrams only) on the first 120 characters of the title and body:
telling French from English needs no more, and detection time grows with the
sample, which matters for bulk rebuilds (shorter samples start to misjudge short
posts). A document with too little text to tell is treated as French, the company's
first language.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

# Enough text to decide (see above); detection time grows with the sample.
_SAMPLE_CHARS = 120


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


def detect_languages(texts: Sequence[tuple[str, str]]) -> list[Language]:
    """The language of each (title, body), detected in parallel for a batch."""
    samples = [_sample(title, body) for title, body in texts]
    if not samples:
        return []
    found = _detector().detect_languages_in_parallel_of(samples)
    return [
        Language.ENGLISH if language == LinguaLanguage.ENGLISH else DEFAULT_LANGUAGE
        for language in found
    ]
