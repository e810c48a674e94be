"""How a query's words become concepts: the longest vocabulary term first, repeats
counted once, acronyms only in capitals when they are common words, weights from
everyday language."""

from __future__ import annotations

from townhall_search.index.expansion import (
    MAX_ALTERNATIVES,
    expand,
    parse_vocabulary,
    vocabulary_of,
)
from townhall_search.index.query_text import parse
from townhall_search.index.rarity import MIN_WEIGHT, QUESTION_WEIGHT, word_weight

VOCABULARY = vocabulary_of(
    [
        ("mot de passe", "mots de passe", "password"),
        ("gestionnaire de mots de passe", "password manager"),
        ("IT", "informatique"),
        ("CSE", "comité social et économique"),
    ]
)


def _concepts(text: str) -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    return [
        (c.typed, c.alternatives) for c in expand(parse(text, type_ahead=False), VOCABULARY, text)
    ]


def test_the_longest_term_wins_even_when_a_word_repeats() -> None:
    concepts = _concepts("gestionnaire de mots de passe")
    assert concepts[0] == (
        ("gestionnaire", "de", "mots", "de", "passe"),
        (("password", "manager"),),
    )
    # Each word of the term also counts alone, a little.
    assert [typed for typed, _ in concepts[1:]] == [
        ("gestionnaire",),
        ("de",),
        ("mots",),
        ("passe",),
    ]


def test_accents_and_case_do_not_matter_to_find_a_term() -> None:
    assert _concepts("MOTS DE PASSE")[0][1] == (("mot", "de", "passe"), ("password",))
    assert _concepts("comite social et economique")[0][1] == (("cse",),)


def test_a_common_word_stands_for_an_acronym_only_in_capitals() -> None:
    assert _concepts("is it slow") == [(("is",), ()), (("it",), ()), (("slow",), ())]
    assert _concepts("IT support")[0] == (("it",), (("informatique",),))
    # "cse" is no everyday word: it expands however typed.
    assert _concepts("cse")[0][1] == (("comité", "social", "et", "économique"),)


def test_alternatives_are_capped() -> None:
    many = vocabulary_of([tuple(f"word{n}" for n in range(40))])
    (concept,) = expand(parse("word0", type_ahead=False), many, "word0")
    assert len(concept.alternatives) == MAX_ALTERNATIVES


def test_everyday_and_question_words_weigh_less() -> None:
    assert word_weight("télétravail") == 1.0
    assert word_weight("mutuelle") > word_weight("policy")
    assert word_weight("the") == MIN_WEIGHT
    assert word_weight("comment") == word_weight("How") == QUESTION_WEIGHT
    assert MIN_WEIGHT < word_weight("policy") < 1.0


def test_the_vocabulary_file_format() -> None:
    text = "# a comment\n\nrh | RH | ressources humaines\nalone\n a |b \n"
    assert parse_vocabulary(text) == (("rh", "RH", "ressources humaines"), ("a", "b"))
