"""Make raw user input safe for tantivy's query parser.

Users type free text, not query syntax. Phrases in double quotes, `+` and `-`
keep their meaning; field syntax does not (filters are request parameters, and
a colon in "Note: sécurité" must not turn "Note" into an unknown field that
empties the whole query). Apostrophes split words anyway ("l'été") but the
parser would read them as quotes. Control characters are never meaningful.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = str.maketrans({":": " ", "'": " ", "\u2019": " ", "\u2018": " ", "`": " "})
_NOT_A_WORD = re.compile(r"[^\w]+")


def sanitize(text: str) -> str:
    """Drop control characters and field syntax; collapse whitespace."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif category not in ("Cs", "Co", "Cn"):
            kept.append(char)
    return " ".join("".join(kept).translate(_SEPARATORS).split())


def plain_words(text: str) -> str:
    """Only the words of `text`, lowercased so that AND/OR/NOT are not operators."""
    return " ".join(_NOT_A_WORD.sub(" ", text).lower().split())
