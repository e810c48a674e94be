"""Language detection and the reading of user text."""

from __future__ import annotations

from townhall_search.index import language
from townhall_search.index.language import Language, detect_language, detect_languages
from townhall_search.index.query_text import parse


def test_french_and_english_are_told_apart() -> None:
    assert detect_language("La sécurité au bureau", "Les badges doivent être portés.") is (
        Language.FRENCH
    )
    assert detect_language("Release notes", "Security fixes and faster builds.") is (
        Language.ENGLISH
    )
    assert detect_languages([]) == []


def test_too_little_text_is_french() -> None:
    assert detect_language("", "") is Language.FRENCH


def test_parse_reads_words_phrases_signs_and_prefix() -> None:
    parsed = parse('budget "revue annuelle" +équipe -brouillon secu')

    assert parsed.words == ("budget", "secu")
    assert parsed.phrases == (("revue", "annuelle"),)
    assert parsed.required == ("équipe",)
    assert parsed.excluded == ("brouillon",)
    assert parsed.prefix == "secu"


def test_parse_makes_no_prefix_after_a_space_or_of_one_letter() -> None:
    assert parse("sécurité ").prefix is None
    assert parse("sécurité s").prefix is None
    assert parse("Sécu").prefix == "secu"


def test_parse_treats_syntax_as_text() -> None:
    parsed = parse('title:x AND (y) "unbalanced \x00')

    assert parsed.words == ("title", "x", "and", "y", "unbalanced")
    assert parsed.phrases == ()
    assert not parse("-seul").words and parse("-seul").is_empty
    assert parse("l'été").words == ("l", "été")


def test_function_words_decide_a_clear_text_and_lingua_the_others() -> None:
    clear = [
        ("Réunion", "Les équipes de la paie sont dans le bâtiment B pour la semaine."),
        ("Update", "The team and the rest of the company will move to the new office."),
    ]
    unclear = ("Release notes", "Security fixes, faster builds.")
    assert [language._clear_language(language._sample(*t)) for t in clear] == [
        Language.FRENCH,
        Language.ENGLISH,
    ]
    assert language._clear_language(language._sample(*unclear)) is None
    # The unclear text is still told right, by lingua, within the same batch.
    assert detect_languages([*clear, unclear]) == [
        Language.FRENCH,
        Language.ENGLISH,
        Language.ENGLISH,
    ]
