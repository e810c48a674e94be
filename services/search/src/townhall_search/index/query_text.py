"""Read raw user input as a search, the same way for every backend.

Users type free text, not query syntax. What keeps a meaning:
- `"a phrase"` matches the words next to each other;
- `+word` must match, `-word` must not;
- every other word should match (more matching words rank higher);
- the last word, when the user is still typing it (no trailing space), also
  matches as a prefix, for type-ahead.

Everything else is text: field syntax (`title:x`), stray operators, unbalanced
quotes, brackets and control characters never change what is searched or fail.
Apostrophes split words ("l'été" is "l" and "été"; the French stopwords drop "l").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words longer than this are cut: no real word is longer, and it bounds the work.
MAX_WORD_CHARS = 64
# At most this many words of a query are used; the rest add cost, not precision.
MAX_TERMS = 32
# A query of more different words than this (counting required, excluded and phrase
# words) is refused: nobody types it, and each word is a lookup in every text field.
MAX_QUERY_WORDS = 64
# Typo tolerance, the costly part of a query (an automaton over the term dictionary of
# each text field per word), applies to the first this-many eligible words only.
MAX_TYPO_WORDS = 4
# Typo tolerance grows with word length (like OpenSearch's `fuzziness: AUTO:5,9`).
FUZZY_ONE_EDIT_FROM = 5
FUZZY_TWO_EDITS_FROM = 9
# A prefix shorter than this matches too much to be useful.
MIN_PREFIX_CHARS = 2

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'"([^"]*)"?|([+-]?)([^\s"]+)')


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The parts of a user's query."""

    words: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefix: str | None = None
    # The free words in the order typed, repeats kept, so terms of several words
    # ("mots de passe") are found even when a word repeats ("gestionnaire de mots de passe").
    sequence: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing positive is asked for (exclusions alone match nothing)."""
        return not (self.words or self.required or self.phrases or self.prefix)

    def all_terms(self) -> tuple[str, ...]:
        """Every positive word, for highlighting."""
        phrase_words = tuple(word for phrase in self.phrases for word in phrase)
        prefix = (self.prefix,) if self.prefix else ()
        return self.words + self.required + phrase_words + prefix


def clean(text: str) -> str:
    """Drop control and unassigned characters; collapse whitespace."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            kept.append(" ")
        elif category not in ("Cs", "Co", "Cn"):
            kept.append(char)
    return " ".join("".join(kept).split())


def words_of(text: str) -> list[str]:
    """The words of `text`, lowercased, each at most `MAX_WORD_CHARS` long."""
    return [word[:MAX_WORD_CHARS] for word in _WORD.findall(text.lower())]


def fuzzy_distance(word: str) -> int:
    """How many edits a word may be away from a match."""
    if len(word) >= FUZZY_TWO_EDITS_FROM:
        return 2
    if len(word) >= FUZZY_ONE_EDIT_FROM:
        return 1
    return 0


def fold(word: str) -> str:
    """Lowercase without accents, as the folded (unstemmed) fields store words."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse(text: str, *, type_ahead: bool = True) -> ParsedQuery:
    """Split user text into words, required and excluded words, phrases and a prefix."""
    raw = text
    text = clean(text)
    words: list[str] = []
    required: list[str] = []
    excluded: list[str] = []
    phrases: list[tuple[str, ...]] = []
    last_is_open_word = False
    for match in _TOKEN.finditer(text):
        phrase, sign, token = match.group(1), match.group(2), match.group(3)
        last_is_open_word = False
        if phrase is not None:
            phrase_words = tuple(words_of(phrase))
            if len(phrase_words) > 1:
                phrases.append(phrase_words)
            else:
                words.extend(phrase_words)
            continue
        token_words = words_of(token)
        if not token_words:
            continue
        if sign == "-":
            excluded.extend(token_words)
        elif sign == "+":
            required.extend(token_words)
        else:
            words.extend(token_words)
            last_is_open_word = True
    prefix = None
    ends_open = bool(raw) and not raw[-1].isspace()
    if type_ahead and last_is_open_word and ends_open and words:
        candidate = fold(words[-1])
        if len(candidate) >= MIN_PREFIX_CHARS:
            prefix = candidate
    return ParsedQuery(
        words=tuple(_dedupe(words)[:MAX_TERMS]),
        required=tuple(_dedupe(required)[:MAX_TERMS]),
        excluded=tuple(_dedupe(excluded)[:MAX_TERMS]),
        phrases=tuple(phrases[:MAX_TERMS]),
        prefix=prefix,
        sequence=tuple(words[: 2 * MAX_TERMS]),
    )


def typo_candidates(parsed: ParsedQuery) -> tuple[str, ...]:
    """The words that may match with typos: long enough, and at most `MAX_TYPO_WORDS`
    of them, in the order typed, so the expansion work of a query is bounded."""
    eligible = (word for word in parsed.words + parsed.required if fuzzy_distance(word))
    return tuple(dict.fromkeys(eligible))[:MAX_TYPO_WORDS]


def distinct_words(text: str) -> int:
    """How many different words `text` holds, before `parse` cuts any."""
    return len(set(words_of(clean(text))))


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
