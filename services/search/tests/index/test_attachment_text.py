"""A post is found by the words of its attachments (PDF, DOCX), on both engines, and
only by those who may read the post."""

from __future__ import annotations

from townhall_search.index import FACET_FIELDS, IndexBackend, SearchQuery

EMPLOYEE = frozenset({"org", "user:david"})
OUTSIDER = frozenset({"user:zoe"})


def ask(index: IndexBackend, text: str, principals: frozenset[str] = EMPLOYEE) -> list[str]:
    page = index.search(SearchQuery(text=text, principals=principals, facets=FACET_FIELDS))
    return [hit.id for hit in page.hits]


def test_words_found_only_in_an_attachment_find_the_post(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert(
                "p1",
                title="Compte rendu",
                body="Voir la pièce jointe.",
                attachment_text="Inventaire trimestriel des zeppelins",
            ),
            events.upsert("p2", title="Autre chose", body="Rien à voir."),
        ]
    )

    assert ask(backend_index, "zeppelins ") == ["p1"]
    # French analysis applies to attachment text as to the body.
    assert ask(backend_index, "trimestriels ") == ["p1"]
    assert ask(backend_index, "zeppelins ", OUTSIDER) == []


def test_an_attachment_removed_no_longer_finds_the_post(backend_index, events) -> None:
    backend_index.apply(
        [events.upsert("p1", body="Texte.", attachment_text="Mot introuvable ailleurs")]
    )
    assert ask(backend_index, "introuvable ") == ["p1"]

    backend_index.apply([events.upsert("p1", version=2, body="Texte.", attachment_text="")])

    assert ask(backend_index, "introuvable ") == []
