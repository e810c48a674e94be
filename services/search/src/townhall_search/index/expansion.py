"""A query's words as concepts: each a set of alternatives (the words typed, their
synonyms and translations from the vocabulary) weighed by how rare the words typed are.

"remote work policy" with the vocabulary group {remote work, télétravail, working from
home} becomes two concepts: ("remote work" | "télétravail" | "working from home") and
("policy" | "politique"). A document scores the best alternative of each concept it
matches, so a French post about télétravail answers an English question. Both
backends build their queries from these concepts, so they expand alike, at query time:
a vocabulary change needs no reindexing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .query_text import ParsedQuery, fold, words_of
from .rarity import word_weight

# The longest vocabulary term, in words, looked for in a query.
MAX_TERM_WORDS = 5
# A synonym or translation counts this much of the word typed: the words the user
# chose rank first when both are present.
SYNONYM_WEIGHT = 0.9
# A concept matches at most this many alternatives (the first in the vocabulary's
# order), so an edited vocabulary cannot make one word cost a hundred lookups.
MAX_ALTERNATIVES = 16
# Words of a term found up to this many positions apart still match it.
TERM_SLOP = 1
# Words of a matched term also count alone, this much of their weight, so a document
# holding only part of the term still ranks above one holding none.
PART_WEIGHT = 0.3


# A common word (by `word_weight`) that the vocabulary only knows as an acronym (written
# in capitals there) stands for it only when typed in capitals: "it" is not "IT".
ACRONYM_CLASH_WEIGHT = 0.5
_CAPITALS = re.compile(r"\b[A-Z0-9]{2,}\b")

Term = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Groups of equivalent terms (synonyms, acronyms, translations), each term one or
    more words; a version so callers can tell edits apart."""

    groups: tuple[tuple[str, ...], ...] = ()
    version: int = 0
    _index: dict[Term, tuple[Term, ...]] = field(default_factory=dict, compare=False, repr=False)
    _acronyms: set[Term] = field(default_factory=set, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Keyed by the folded words; the terms keep their accents, which analysis needs
        # ("à" is a French stopword, "a" is not).
        spelled: dict[Term, bool] = {}
        for group in self.groups:
            for raw in group:
                key = _folded(words_of(raw))
                spelled[key] = spelled.get(key, True) and raw.strip().isupper()
            terms = tuple(dict.fromkeys(t for t in (tuple(words_of(raw)) for raw in group) if t))
            for term in terms:
                key = _folded(term)
                known = self._index.get(key, ())
                self._index[key] = tuple(dict.fromkeys(known + terms))
        self._acronyms.update(key for key, upper in spelled.items() if upper and len(key) == 1)

    def is_acronym(self, word: str) -> bool:
        """True when the vocabulary writes `word` in capitals only (an acronym)."""
        return _folded([word]) in self._acronyms

    def equivalents(self, words: Sequence[str]) -> tuple[Term, ...]:
        """Every term equivalent to `words` (itself included), or nothing if unknown."""
        return self._index.get(_folded(words), ())


def _folded(words: Sequence[str]) -> Term:
    return tuple(fold(word) for word in words)


@dataclass(frozen=True, slots=True)
class Concept:
    """What one word or term of the query asks for."""

    typed: Term  # the words as typed (not folded)
    alternatives: tuple[Term, ...]  # equivalent terms, the typed one excluded
    weight: float


def expand(parsed: ParsedQuery, vocabulary: Vocabulary, raw: str = "") -> tuple[Concept, ...]:
    """The concepts of the free words of `parsed`, longest vocabulary terms first. A very
    common word ("it", "at", "ce") stands for an acronym only when `raw`, the text as
    typed, writes it in capitals."""
    words = parsed.sequence or parsed.words
    capitals = frozenset(_CAPITALS.findall(raw))
    concepts: list[Concept] = []
    start = 0
    while start < len(words):
        span, equivalents = _longest_term(words, start, vocabulary)
        word = words[start]
        clash = (
            span == 1 and vocabulary.is_acronym(word) and word_weight(word) < ACRONYM_CLASH_WEIGHT
        )
        if clash and word.upper() not in capitals:
            equivalents = ()
        typed = words[start : start + span]
        folded = _folded(typed)
        weight = sum(word_weight(w) for w in typed) if span > 1 else word_weight(typed[0])
        others = tuple(t for t in equivalents if _folded(t) != folded)[:MAX_ALTERNATIVES]
        concepts.append(Concept(typed, others, weight))
        if span > 1:
            concepts += [Concept((w,), (), word_weight(w) * PART_WEIGHT) for w in typed]
        start += span
    # A word typed twice counts once, as the parser's words do.
    return tuple({(c.typed, c.alternatives): c for c in concepts}.values())


def _longest_term(
    words: Sequence[str], start: int, vocabulary: Vocabulary
) -> tuple[int, tuple[Term, ...]]:
    for span in range(min(MAX_TERM_WORDS, len(words) - start), 0, -1):
        found = vocabulary.equivalents(words[start : start + span])
        if found:
            return span, found
    return 1, ()


def vocabulary_of(groups: Iterable[Iterable[str]], version: int = 0) -> Vocabulary:
    return Vocabulary(tuple(tuple(group) for group in groups), version)


def parse_vocabulary(text: str) -> tuple[tuple[str, ...], ...]:
    """Groups from lines of `term | term | ...`; `#` starts a comment line."""
    groups = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        terms = tuple(term.strip() for term in line.split("|") if term.strip())
        if len(terms) > 1:
            groups.append(terms)
    return tuple(groups)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The vocabulary search ships with (`data/default_vocabulary.txt`)."""
    text = resources.files(__package__).joinpath("data/default_vocabulary.txt").read_text()
    return Vocabulary(parse_vocabulary(text), version=0)
