"""French and English analysis: what the analyzers make of words."""

from townhall_search.index.analysis import english_analyzer, french_analyzer


def test_french_folds_accents_before_stemming() -> None:
    analyzer = french_analyzer()

    assert analyzer.analyze("securite") == analyzer.analyze("sécurité") == ["securit"]
    assert analyzer.analyze("Sécurité") == analyzer.analyze("SECURITE")


def test_french_drops_stopwords_and_elided_articles() -> None:
    assert french_analyzer().analyze("La sécurité de l'été") == ["securit", "ete"]


def test_french_stems_plural_and_feminine_forms() -> None:
    analyzer = french_analyzer()

    assert analyzer.analyze("données") == analyzer.analyze("donnée")
    assert analyzer.analyze("réunions") == analyzer.analyze("réunion")


def test_english_stems_and_drops_stopwords() -> None:
    analyzer = english_analyzer()

    assert analyzer.analyze("the running") == analyzer.analyze("run")
    assert analyzer.analyze("policies") == analyzer.analyze("policy")
