"""tantivy queries: the words in each language's fields, typos, prefixes, phrases, and
the filters (readers first) every search runs within. Scores are constants, from the
document and the query alone (see `backend.py`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

import tantivy

from . import schema as f
from .analysis import english_analyzer, french_analyzer
from .backend import (
    FUZZY_WEIGHT,
    OFFICIAL_BOOST,
    PREFIX_WEIGHT,
    RECENT_BOOST,
    RECENT_DAYS,
    TITLE_WEIGHT,
    SearchQuery,
)
from .expansion import SYNONYM_WEIGHT, TERM_SLOP, Concept
from .language import Language
from .query_text import ParsedQuery, fold, fuzzy_distance
from .shared import utc

# A constant score of zero keeps filters from changing the text relevance.
_FILTER_SCORE = 0.0
_LANGUAGES = (Language.FRENCH, Language.ENGLISH)


def _analyzed(word: str) -> dict[str, list[str]]:
    return {
        Language.FRENCH.value: french_analyzer().analyze(word),
        Language.ENGLISH.value: english_analyzer().analyze(word),
    }


def word_query(schema: tantivy.Schema, word: str, *, fuzzy: bool) -> tantivy.Query | None:
    """The word in any language's title or body, exactly, then with typos."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    distance = fuzzy_distance(word) if fuzzy else 0
    for language, tokens in _analyzed(word).items():
        for token in tokens:
            for field_name, weight in ((f.TITLE[language], TITLE_WEIGHT), (f.BODY[language], 1.0)):
                term = tantivy.Query.term_query(schema, field_name, token)
                clauses.append(
                    (tantivy.Occur.Should, tantivy.Query.const_score_query(term, weight))
                )
                if distance:
                    typo = tantivy.Query.fuzzy_term_query(schema, field_name, token, distance)
                    clauses.append(
                        (
                            tantivy.Occur.Should,
                            tantivy.Query.const_score_query(typo, weight * FUZZY_WEIGHT),
                        )
                    )
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _phrase_query(
    schema: tantivy.Schema, words: Sequence[str], *, title_weight: float = 1.0, slop: int = 0
) -> tantivy.Query | None:
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for language in _LANGUAGES:
        analyzer = french_analyzer() if language is Language.FRENCH else english_analyzer()
        # Positions keep the gaps of dropped stopwords, as in the index.
        positioned = [
            (offset, tokens[0])
            for offset, word in enumerate(words)
            if (tokens := analyzer.analyze(word))
        ]
        if not positioned:
            continue
        for field_name, weight in (
            (f.TITLE[language.value], title_weight),
            (f.BODY[language.value], 1.0),
        ):
            if len(positioned) == 1:
                query = tantivy.Query.term_query(schema, field_name, positioned[0][1])
            else:
                words_at: list[str | tuple[int, str]] = list(positioned)
                query = tantivy.Query.phrase_query(schema, field_name, words_at, slop)
            clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(query, weight)))
    return tantivy.Query.boolean_query(clauses) if clauses else None


def unknown_words(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    candidates: Sequence[str],
    readers: tantivy.Query,
) -> frozenset[str]:
    """The candidates no readable document holds: a known word is no typo. Asked within
    the readers filter, so what unreadable documents hold changes nothing."""
    unknown = set()
    for word in candidates:
        held = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.boolean_query(
                        [
                            (
                                tantivy.Occur.Should,
                                tantivy.Query.term_query(schema, name, fold(word)),
                            )
                            for name in (f.TITLE_FOLDED, f.BODY_FOLDED)
                        ]
                    ),
                ),
                (tantivy.Occur.Must, readers),
            ]
        )
        if not searcher.search(held, limit=1).count:  # type: ignore[attr-defined]
            unknown.add(word)
    return frozenset(unknown)


def _term_query(
    schema: tantivy.Schema, term: Sequence[str], *, fuzzy: bool
) -> tantivy.Query | None:
    """One word (typos allowed when `fuzzy`), or several as a phrase, title weighing more."""
    if len(term) == 1:
        return word_query(schema, term[0], fuzzy=fuzzy)
    return _phrase_query(schema, term, title_weight=TITLE_WEIGHT, slop=TERM_SLOP)


def concept_query(
    schema: tantivy.Schema, concept: Concept, typos: frozenset[str]
) -> tantivy.Query | None:
    """The best of the concept's alternatives, weighed by the concept's weight."""
    typed = concept.typed
    alternatives = []
    if (
        query := _term_query(schema, typed, fuzzy=len(typed) == 1 and typed[0] in typos)
    ) is not None:
        alternatives.append(query)
    for term in concept.alternatives:
        if (query := _term_query(schema, term, fuzzy=False)) is not None:
            alternatives.append(tantivy.Query.boost_query(query, SYNONYM_WEIGHT))
    if not alternatives:
        return None
    best = (
        alternatives[0]
        if len(alternatives) == 1
        else tantivy.Query.disjunction_max_query(alternatives)
    )
    return tantivy.Query.boost_query(best, concept.weight)


def text_query(
    schema: tantivy.Schema,
    parsed: ParsedQuery,
    typos: frozenset[str],
    prefix: tantivy.Query | None,
    concepts: Sequence[Concept] = (),
) -> tantivy.Query | None:
    """None for a blank query (everything matches); an empty query when nothing can.
    `concepts` are those of the free words (`expansion.expand`); only the words in
    `typos` also match with typos; `prefix` is the last word's."""
    if parsed.is_empty:
        return tantivy.Query.empty_query() if parsed.excluded else None
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for concept in concepts:
        if (query := concept_query(schema, concept, typos)) is not None:
            clauses.append((tantivy.Occur.Should, query))
    if prefix is not None:
        clauses.append((tantivy.Occur.Should, prefix))
    for word in parsed.required:
        query = word_query(schema, word, fuzzy=word in typos)
        # A required stopword cannot match anything: it is ignored, as OpenSearch does.
        if query is not None:
            clauses.append((tantivy.Occur.Must, query))
    for phrase in parsed.phrases:
        query = _phrase_query(schema, phrase)
        if query is not None:
            clauses.append((tantivy.Occur.Must, query))
    for word in parsed.excluded:
        query = word_query(schema, word, fuzzy=False)
        if query is not None:
            clauses.append((tantivy.Occur.MustNot, query))
    if not any(occur is not tantivy.Occur.MustNot for occur, _ in clauses):
        # Only stopwords were asked for: nothing to rank by, nothing matches.
        return tantivy.Query.empty_query()
    return tantivy.Query.boolean_query(clauses)


def matching_query(
    schema: tantivy.Schema, query: SearchQuery, text: tantivy.Query | None
) -> tantivy.Query:
    """`text` (everything when None) within the readers filter and the caller's filters."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [
        (tantivy.Occur.Must, text or tantivy.Query.all_query()),
        (tantivy.Occur.Must, filter_query(schema, f.READERS, sorted(query.principals))),
    ]
    if query.ids:
        clauses.append((tantivy.Occur.Must, filter_query(schema, f.ID, list(query.ids))))
    if query.excluded_ids:
        clauses.append(
            (tantivy.Occur.MustNot, filter_query(schema, f.ID, list(query.excluded_ids)))
        )
    for field_name, value in (
        (f.KIND, query.kind),
        (f.SPACE_ID, query.space_id),
        (f.AUTHOR_ID, query.author_id),
    ):
        if value is not None:
            clauses.append((tantivy.Occur.Must, filter_query(schema, field_name, [value])))
    if query.created_from is not None or query.created_to is not None:
        clauses.append(
            (
                tantivy.Occur.Must,
                date_range(schema, f.CREATED_AT, query.created_from, query.created_to),
            )
        )
    if query.as_of is not None:
        clauses.append((tantivy.Occur.Must, date_range(schema, f.INDEXED_AT, None, query.as_of)))
    return tantivy.Query.boolean_query(clauses)


def ranked_query(schema: tantivy.Schema, matching: tantivy.Query, now: datetime) -> tantivy.Query:
    """`matching`, official documents and those created lately scoring higher."""
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, matching),
            (tantivy.Occur.Should, _boost(schema, f.KIND, "official", OFFICIAL_BOOST)),
            (
                tantivy.Occur.Should,
                tantivy.Query.const_score_query(
                    date_range(schema, f.CREATED_AT, now - timedelta(days=RECENT_DAYS), None),
                    RECENT_BOOST,
                ),
            ),
        ]
    )


def prefix_query(schema: tantivy.Schema, prefix: str) -> tantivy.Query:
    pattern = re.escape(prefix) + ".*"
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Should,
                tantivy.Query.const_score_query(
                    tantivy.Query.regex_query(schema, field_name, pattern), PREFIX_WEIGHT * weight
                ),
            )
            for field_name, weight in ((f.TITLE_FOLDED, TITLE_WEIGHT), (f.BODY_FOLDED, 1.0))
        ]
    )


def filter_query(schema: tantivy.Schema, field_name: str, values: list[str]) -> tantivy.Query:
    return tantivy.Query.const_score_query(
        tantivy.Query.term_set_query(schema, field_name, values), _FILTER_SCORE
    )


def _boost(schema: tantivy.Schema, field_name: str, value: str, score: float) -> tantivy.Query:
    return tantivy.Query.const_score_query(
        tantivy.Query.term_query(schema, field_name, value), score
    )


def date_range(
    schema: tantivy.Schema, field_name: str, lower: datetime | None, upper: datetime | None
) -> tantivy.Query:
    return tantivy.Query.const_score_query(
        tantivy.Query.range_query(
            schema,
            field_name,
            tantivy.FieldType.Date,
            lower_bound=utc(lower) if lower is not None else None,
            upper_bound=utc(upper) if upper is not None else None,
        ),
        _FILTER_SCORE,
    )
