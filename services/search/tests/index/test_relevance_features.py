"""Relevance features on both backends: the vocabulary (synonyms, acronyms, translations)
applied at query time, common words weighing less, and what best bets and "did you
mean" need of an index (an id filter, the words no readable document holds), each
within the readers filter."""

from __future__ import annotations

import pytest

from townhall_search.index import IndexBackend, SearchQuery
from townhall_search.index.expansion import Vocabulary, default_vocabulary, vocabulary_of
from townhall_search.queries import refinements
from townhall_search.vocabulary.service import Current

READER = frozenset({"org"})
RESTRICTED = ["space:hr-confidential"]


@pytest.fixture
def intranet(backend_index: IndexBackend, events) -> IndexBackend:
    backend_index.apply(
        [
            events.upsert(
                "teletravail",
                title="Nouvelle politique de télétravail",
                body="Chaque salarié peut télétravailler trois jours par semaine.",
                kind="official",
                readers=["org"],
            ),
            events.upsert(
                "mutuelle",
                title="Adhésion à la mutuelle",
                body="Envoyez le bulletin d'adhésion aux ressources humaines.",
                kind="official",
                readers=["org"],
            ),
            events.upsert(
                "chatter",
                title="Comment ça va ?",
                body="Comment allez-vous, comment était le week-end, comment va l'équipe ?",
                readers=["org"],
            ),
            events.upsert(
                "secret",
                title="Plan social confidentiel",
                body="Restructuration zygomorphe du service paie.",
                kind="official",
                readers=RESTRICTED,
            ),
        ]
    )
    return backend_index


def _ids(index: IndexBackend, text: str, vocabulary: Vocabulary | None = None) -> list[str]:
    query = SearchQuery(text=text, principals=READER, limit=10)
    if vocabulary is not None:
        query = SearchQuery(text=text, principals=READER, limit=10, vocabulary=vocabulary)
    return [hit.id for hit in index.search(query).hits]


def test_an_english_query_finds_the_french_answer(intranet: IndexBackend) -> None:
    assert _ids(intranet, "remote work policy ")[:1] == ["teletravail"]
    assert _ids(intranet, "health insurance enrollment ")[:1] == ["mutuelle"]
    # Without the vocabulary, no English word is in the French posts.
    assert _ids(intranet, "remote work ", Vocabulary()) == []


def test_acronyms_expand_both_ways(intranet: IndexBackend) -> None:
    assert "mutuelle" in _ids(intranet, "RH ")
    assert "mutuelle" in _ids(intranet, "human resources ")


def test_a_vocabulary_change_applies_at_once_without_reindexing(intranet: IndexBackend) -> None:
    assert _ids(intranet, "wellbeing ") == []
    edited = vocabulary_of([*default_vocabulary().groups, ("wellbeing", "mutuelle")], version=1)
    assert _ids(intranet, "wellbeing ", edited) == ["mutuelle"]


def test_a_common_word_weighs_less_than_a_rare_one(intranet: IndexBackend) -> None:
    # "comment" four times in the chatter does not outrank "mutuelle" once.
    assert _ids(intranet, "comment mutuelle ")[:1] == ["mutuelle"]


def test_a_capitalised_acronym_expands_a_common_word_does_not(intranet: IndexBackend) -> None:
    # "ce" is a French word; "CE" the works council (comité d'entreprise).
    groups = [("CE", "mutuelle")]
    assert _ids(intranet, "ce ", vocabulary_of(groups)) == []
    assert _ids(intranet, "CE ", vocabulary_of(groups)) == ["mutuelle"]


def test_unknown_words_are_asked_within_the_readers(intranet: IndexBackend) -> None:
    # "zygomorphe" is held by a document the reader cannot read: unknown to them.
    assert intranet.unknown_words(["zygomorphe", "mutuelle"], READER) == {"zygomorphe"}
    assert intranet.unknown_words(["zygomorphe"], frozenset(RESTRICTED)) == frozenset()
    assert intranet.unknown_words(["mutuelle"], frozenset()) == {"mutuelle"}


def test_best_bets_are_readable_official_posts_only(intranet: IndexBackend) -> None:
    from townhall_contracts.search import BestBet
    from townhall_search.index.query_text import parse

    bets = (
        BestBet(keywords=["paie"], post_ids=["secret", "mutuelle", "chatter"]),
        BestBet(keywords=["santé"], post_ids=["mutuelle"]),
    )
    current = Current(default_vocabulary(), bets)
    query = SearchQuery(text="paie", principals=READER)
    found = refinements.best_bets(intranet, query, parse("paie"), current)
    # "secret" is unreadable, "chatter" is not official: neither is shown.
    assert [(hit.id, hit.best_bet) for hit in found] == [("mutuelle", True)]
    restricted = SearchQuery(text="paie", principals=frozenset(RESTRICTED))
    found = refinements.best_bets(intranet, restricted, parse("paie"), current)
    assert [hit.id for hit in found] == ["secret"]
    assert refinements.best_bets(intranet, query, parse("cantine"), current) == []


def test_did_you_mean_corrects_from_readable_words(intranet: IndexBackend) -> None:
    from townhall_search.index.query_text import parse

    query = SearchQuery(text="mutuele adhésion", principals=READER)
    page = intranet.search(query)
    assert refinements.did_you_mean(intranet, query, parse(query.text), page.hits) == (
        "mutuelle adhésion"
    )
    # A word only an unreadable document holds is never suggested.
    query = SearchQuery(text="zygomorphes", principals=READER)
    page = intranet.search(query)
    assert page.total == 0
    assert refinements.did_you_mean(intranet, query, parse(query.text), page.hits) is None


def test_texts_are_those_of_readable_documents_only(intranet: IndexBackend) -> None:
    found = intranet.texts(["mutuelle", "secret"], READER)
    assert len(found) == 1
    assert "mutuelle" in found[0]
    assert intranet.texts(["secret"], READER) == []
    assert intranet.texts(["secret"], frozenset()) == []
