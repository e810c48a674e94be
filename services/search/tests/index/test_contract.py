"""One contract for every index backend: the same events and queries, the same answers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from townhall_search.index import (
    FACET_FIELDS,
    IndexBackend,
    NoRebuild,
    RebuildInProgress,
    SearchQuery,
    SortOrder,
)

EMPLOYEE = frozenset({"org", "user:david"})
HR_MEMBER = frozenset({"org", "user:chloe", "space:hr-confidential"})
HR_ONLY = ["space:hr-confidential", "auditor:org", "user:chloe"]


def ask(index: IndexBackend, text: str = "", principals=EMPLOYEE, **kw):
    # Every facet unless the test says otherwise: most tests check what they reveal.
    kw.setdefault("facets", FACET_FIELDS)
    return index.search(SearchQuery(text=text, principals=principals, **kw))


def ids(page) -> list[str]:
    return [hit.id for hit in page.hits]


# -- language ------------------------------------------------------------------------------


def test_unaccented_french_finds_accented_text(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", title="La sécurité des données", body="Rappel.")])

    page = ask(backend_index, "securite ")

    assert ids(page) == ["p1"]
    assert "<b>sécurité</b>" in page.hits[0].highlights["title"][0]


def test_french_plural_and_case(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", body="Une réunion importante demain matin.")])

    assert ids(ask(backend_index, "réunions ")) == ["p1"]
    assert ids(ask(backend_index, "REUNIONS ")) == ["p1"]


def test_english_stemming(backend_index, events) -> None:
    backend_index.apply(
        [events.upsert("p1", title="Running the servers", body="All policies apply today.")]
    )

    assert ids(ask(backend_index, "run ")) == ["p1"]
    assert ids(ask(backend_index, "policy ")) == ["p1"]


def test_elided_articles_are_split_off(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert(
                "p1",
                title="L'entreprise présente l'équipe",
                body="Qu'il s'agisse d'organisation ou d'outils, tout change.",
            )
        ]
    )

    for word in ("entreprise ", "equipe ", "organisation ", "outils "):
        assert ids(ask(backend_index, word)) == ["p1"], word


def test_one_query_matches_both_languages(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert(
                "fr", title="Nouvelle politique de sécurité", body="Les badges changent."
            ),
            events.upsert("en", title="New security policy", body="Badges are changing."),
        ]
    )

    assert set(ids(ask(backend_index, "badges "))) == {"fr", "en"}


def test_each_document_is_analyzed_in_its_own_language(backend_index, events) -> None:
    # French stems "données" to "don"; English would not touch it. A French stem
    # query finds the French text.
    backend_index.apply(
        [events.upsert("fr", title="Protection des données personnelles", body="Rappel RGPD.")]
    )

    assert ids(ask(backend_index, "donnee ")) == ["fr"]


# -- query syntax --------------------------------------------------------------------------


def test_phrase_exclusion_and_required_words(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert("p1", body="security audit next week"),
            events.upsert("p2", body="audit of security next week"),
            events.upsert("p3", body="the audit is done"),
        ]
    )

    assert ids(ask(backend_index, '"security audit"')) == ["p1"]
    assert sorted(ids(ask(backend_index, "audit -security"))) == ["p3"]
    assert sorted(ids(ask(backend_index, "+security audit "))) == ["p1", "p2"]


# On tantivy a word the index knows expands to typos only when the exact words match
# fewer than `TYPO_FALLBACK_HITS` readable documents (cost, see docs/api.md); OpenSearch
# always expands. These small indexes are below that threshold, so both backends agree
# here; test_tantivy_backend.py tests the difference.
def test_typo_tolerance_for_longer_words_only(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert("budget", title="Budget annuel", body="Prévisions."),
            events.upsert("bug", title="Bug report", body="Crash."),
        ]
    )

    assert ids(ask(backend_index, "bugdet ")) == ["budget"]  # transposition, 6 letters
    assert ids(ask(backend_index, "big ")) == []  # three letters: exact only


def test_exact_match_ranks_above_typo_match(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert("exact", title="Planning", body="Réunion de planning."),
            events.upsert("typo", title="Plannings", body="Planing des équipes."),
        ]
    )

    assert ids(ask(backend_index, "planing "))[0] == "typo"


def test_last_word_typed_matches_as_a_prefix(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", title="La sécurité informatique", body="")])

    assert ids(ask(backend_index, "secu")) == ["p1"]
    assert ids(ask(backend_index, "informatique secu")) == ["p1"]
    # A finished word (trailing space) is a whole word, not a prefix.
    assert ids(ask(backend_index, "secu ")) == []


@pytest.mark.parametrize(
    "text",
    ['"unbalanced', "title:sécurité", "AND OR NOT", "((", "+-", "*", "\x00\x1f", "l'", "' \""],
)
def test_malformed_text_never_fails(backend_index, events, text) -> None:
    backend_index.apply([events.upsert("p1", title="La sécurité des données")])

    page = ask(backend_index, text)

    assert page.total == len(page.hits) <= 1


def test_field_syntax_cannot_reach_other_fields(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", title="Note", readers=HR_ONLY)])

    assert ask(backend_index, "readers:org").total == 0
    assert ask(backend_index, "readers:space:hr-confidential note").total == 0


# -- permissions inside the query ----------------------------------------------------------


@pytest.fixture
def restricted(backend_index, events) -> IndexBackend:
    backend_index.apply(
        [
            events.upsert("public", title="Sécurité au bureau", body="Badges.", space_id="cafe"),
            events.upsert(
                "secret",
                title="Sécurité des salaires",
                body="Grille confidentielle.",
                kind="official",
                space_id="hr-confidential",
                author_id="chloe",
                readers=HR_ONLY,
            ),
        ]
    )
    return backend_index


def test_unreadable_document_leaves_no_trace(restricted) -> None:
    page = ask(restricted, "sécurité salaires")

    assert ids(page) == ["public"]
    assert page.total == 1
    assert {b.value for b in page.facets["space_id"]} == {"cafe"}
    assert {b.value for b in page.facets["kind"]} == {"social"}
    assert {b.value for b in page.facets["author_id"]} == {"alice"}
    assert "salaires" not in str(page.hits)
    assert restricted.suggest("sécurité sal", EMPLOYEE, 5) == []


def test_unreadable_document_absent_even_when_filtered_for(restricted) -> None:
    page = ask(restricted, "", space_id="hr-confidential")

    assert (page.total, page.hits) == (0, [])
    assert all(not buckets for buckets in page.facets.values())


def test_member_finds_the_restricted_document(restricted) -> None:
    page = ask(restricted, "salaires ", principals=HR_MEMBER)

    assert ids(page) == ["secret"]
    assert [s.id for s in restricted.suggest("sal", HR_MEMBER, 5)] == ["secret"]


def test_no_principals_reads_nothing(restricted) -> None:
    assert ask(restricted, "", principals=frozenset()).total == 0
    assert restricted.suggest("sec", frozenset(), 5) == []


# -- filters, facets, sort, boosts ---------------------------------------------------------


@pytest.fixture
def varied(backend_index, events) -> IndexBackend:
    backend_index.apply(
        [
            events.upsert(
                "a",
                title="Rapport mensuel",
                kind="official",
                space_id="general",
                author_id="claire",
                created_at=events.at(0),
            ),
            events.upsert(
                "b",
                title="Rapport des ventes",
                space_id="cafe",
                author_id="bob",
                created_at=events.at(60 * 24 * 40),
            ),
            events.upsert(
                "c",
                title="Rapport technique",
                space_id="engineering",
                author_id="alice",
                created_at=events.at(60 * 24 * 70),
            ),
        ]
    )
    return backend_index


def test_only_the_asked_for_facets_are_counted(varied) -> None:
    assert ask(varied, "rapport ", facets=()).facets == {}
    page = ask(varied, "rapport ", facets=("kind",))
    assert page.facets == {"kind": ask(varied, "rapport ").facets["kind"]}
    assert ask(varied, "rapport ", principals=frozenset(), facets=("kind",)).facets == {"kind": []}


def test_filters_and_facets(varied, events) -> None:
    assert ids(ask(varied, "rapport ", kind="official")) == ["a"]
    assert ids(ask(varied, "rapport ", space_id="cafe")) == ["b"]
    assert ids(ask(varied, "rapport ", author_id="alice")) == ["c"]
    between = ask(varied, "", created_from=events.at(1), created_to=events.at(60 * 24 * 50))
    assert ids(between) == ["b"]
    page = ask(varied, "rapport ")
    assert [(b.value, b.count) for b in page.facets["kind"]] == [("social", 2), ("official", 1)]
    assert [(b.value, b.count) for b in page.facets["month"]] == [
        ("2025-03", 1),
        ("2025-04", 1),
        ("2025-05", 1),
    ]
    assert {b.value for b in page.facets["author_id"]} == {"alice", "bob", "claire"}


def test_sort_by_date_newest_first(varied) -> None:
    assert ids(ask(varied, "rapport ", sort=SortOrder.DATE)) == ["c", "b", "a"]
    assert ids(ask(varied, "")) == ["c", "b", "a"]


def test_official_and_recent_posts_are_boosted(backend_index, events) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    backend_index.apply(
        [
            events.upsert("old", title="Vacances", created_at=now - timedelta(days=200)),
            events.upsert("recent", title="Vacances", created_at=now - timedelta(days=3)),
            events.upsert(
                "official", title="Vacances", kind="official", created_at=now - timedelta(days=200)
            ),
        ]
    )

    page = ask(backend_index, "vacances ", now=now)

    assert ids(page) == ["official", "recent", "old"]


def test_highlights_escape_html(backend_index, events) -> None:
    backend_index.apply(
        [events.upsert("p1", title="<script>alert(1)</script> budget", body="a <b>budget</b> & co")]
    )

    page = ask(backend_index, "budget ")

    title, body = page.hits[0].highlights["title"][0], page.hits[0].highlights["body"][0]
    assert "<script>" not in title and "&lt;script&gt;" in title
    assert "<b>budget</b>" in title
    assert "&lt;b&gt;" in body and "&amp;" in body


def test_blank_text_has_no_highlights(varied) -> None:
    page = ask(varied, "")

    assert all(hit.highlights == {"title": [], "body": []} for hit in page.hits)


def test_hits_carry_the_document_fields(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert(
                "c1",
                doc_type="comment",
                post_id="p1",
                title="",
                body="Bravo l'équipe",
                author_id="bob",
                created_at=events.at(5),
            )
        ]
    )

    hit = ask(backend_index, "equipe ").hits[0]

    assert (hit.id, hit.doc_type.value, hit.post_id, hit.author_id) == (
        "c1",
        "comment",
        "p1",
        "bob",
    )
    assert hit.created_at == events.at(5)


# -- paging --------------------------------------------------------------------------------


def test_offset_and_limit_page_through_all_hits(backend_index, events) -> None:
    backend_index.apply([events.upsert(f"p{n}", body=f"rapport numéro {n}") for n in range(7)])

    seen = []
    for offset in range(0, 7, 3):
        page = ask(backend_index, "rapport ", offset=offset, limit=3)
        assert page.total == 7
        seen += ids(page)

    assert sorted(seen) == sorted(f"p{n}" for n in range(7))


def test_a_snapshot_hides_documents_indexed_after_it(backend_index, events) -> None:
    backend_index.apply([events.upsert("before", body="rapport")])
    snapshot = datetime.now(UTC) + timedelta(seconds=1)
    backend_index.apply([events.upsert("after", body="rapport")])

    later = ask(backend_index, "rapport ", as_of=snapshot - timedelta(seconds=1))
    assert "after" not in ids(later) or "before" in ids(later)
    future = ask(backend_index, "rapport ", as_of=datetime(2000, 1, 1, tzinfo=UTC))
    assert future.total == 0


# -- idempotent events ---------------------------------------------------------------------


def test_duplicate_event_is_skipped(backend_index, events) -> None:
    event = events.upsert("p1", version=1, title="bonjour")

    first = backend_index.apply([event])
    again = backend_index.apply([event])

    assert (first.applied, first.skipped) == (1, 0)
    assert (again.applied, again.skipped) == (0, 1)
    assert ask(backend_index, "bonjour ").total == 1


def test_out_of_order_older_version_does_not_overwrite(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", version=3, title="troisième version")])

    outcome = backend_index.apply([events.upsert("p1", version=2, title="deuxième version")])

    assert (outcome.applied, outcome.skipped) == (0, 1)
    assert ids(ask(backend_index, "troisième ")) == ["p1"]
    assert ask(backend_index, "deuxième ").total == 0
    assert backend_index.versions(["p1", "missing"]) == {"p1": 3}


def test_several_versions_in_one_batch_keep_the_last(backend_index, events) -> None:
    outcome = backend_index.apply(
        [
            events.upsert("p1", version=1, title="premier"),
            events.upsert("p1", version=3, title="troisième"),
            events.upsert("p1", version=2, title="second"),
        ]
    )

    assert (outcome.applied, outcome.skipped) == (2, 1)
    assert ids(ask(backend_index, "troisième ")) == ["p1"]
    assert ask(backend_index, "").total == 1


def test_delete_leaves_a_tombstone_an_older_upsert_cannot_resurrect(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", version=1, title="éphémère")])
    backend_index.apply([events.delete("p1", version=2)])
    late = backend_index.apply([events.upsert("p1", version=1, title="éphémère")])

    assert late.skipped == 1
    assert ask(backend_index, "ephemere ").total == 0
    assert backend_index.versions(["p1"]) == {"p1": 2}
    assert backend_index.apply([events.upsert("p1", version=3, title="retour")]).applied == 1
    assert ids(ask(backend_index, "retour ")) == ["p1"]


def test_upsert_without_readers_is_a_tombstone(backend_index, events) -> None:
    backend_index.apply([events.upsert("p1", version=1, title="retiré")])
    backend_index.apply([events.upsert("p1", version=2, title="retiré", readers=[])])

    assert ask(backend_index, "retire ", principals=frozenset({"org", "auditor:org"})).total == 0
    assert backend_index.versions(["p1"]) == {"p1": 2}


def test_concurrent_batches_keep_the_newest_version(backend_index, events) -> None:
    batches = [[events.upsert("p1", version=v, title=f"version {v}")] for v in range(1, 21)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(backend_index.apply, reversed(batches)))

    assert backend_index.versions(["p1"]) == {"p1": 20}
    assert ask(backend_index, "").total == 1


# -- rebuild -------------------------------------------------------------------------------


def test_rebuild_answers_from_the_old_index_then_switches(backend_index, events) -> None:
    backend_index.apply([events.upsert("old", version=1, title="ancien contenu")])

    backend_index.start_rebuild()
    backend_index.load_rebuild([events.upsert("new", version=1, title="nouveau contenu")])
    # Still the old index while the new one fills.
    assert ids(ask(backend_index, "")) == ["old"]
    # A live event during the rebuild reaches both indexes.
    backend_index.apply([events.upsert("live", version=1, title="contenu en direct")])
    assert sorted(ids(ask(backend_index, ""))) == ["live", "old"]
    backend_index.finish_rebuild()

    assert sorted(ids(ask(backend_index, ""))) == ["live", "new"]
    assert backend_index.versions(["old", "new", "live"]) == {"new": 1, "live": 1}


def test_rebuild_keeps_newer_live_versions(backend_index, events) -> None:
    backend_index.start_rebuild()
    backend_index.apply([events.upsert("p1", version=5, title="cinquième")])
    # The export read version 4 before the event arrived: it must not win.
    outcome = backend_index.load_rebuild([events.upsert("p1", version=4, title="quatrième")])
    backend_index.finish_rebuild()

    assert outcome.skipped == 1
    assert ids(ask(backend_index, "cinquième ")) == ["p1"]


def test_rebuild_batches_only_move_versions_forward(backend_index, events) -> None:
    backend_index.start_rebuild()
    backend_index.load_rebuild([events.upsert("p1", version=3, title="troisième")])
    stale = backend_index.load_rebuild([events.upsert("p1", version=2, title="deuxième")])
    newer = backend_index.load_rebuild([events.upsert("p1", version=5, title="cinquième")])
    backend_index.finish_rebuild()

    assert (stale.skipped, newer.applied) == (1, 1)
    assert ids(ask(backend_index, "")) == ["p1"]
    assert ids(ask(backend_index, "cinquième ")) == ["p1"]
    assert backend_index.versions(["p1"]) == {"p1": 5}


def test_aborted_rebuild_leaves_the_live_index(backend_index, events) -> None:
    backend_index.apply([events.upsert("old", title="ancien")])
    backend_index.start_rebuild()
    with pytest.raises(RebuildInProgress):
        backend_index.start_rebuild()
    backend_index.abort_rebuild()

    assert ids(ask(backend_index, "")) == ["old"]
    with pytest.raises(NoRebuild):
        backend_index.finish_rebuild()


# -- the watermark: the last event applied, checked against publishing's outbox ------------


def test_the_watermark_is_the_last_event_applied_with_the_documents(backend_index, events) -> None:
    assert backend_index.watermark() == (0, 0)
    first = [events.upsert("p1"), events.upsert("p2"), events.delete("p2", version=2)]
    backend_index.apply(first)
    # A batch delivered again (its acknowledgement was lost) moves nothing back.
    backend_index.apply(first[:1])

    assert backend_index.watermark() == (3, 2)
    assert backend_index.count() == 2
    assert ask(backend_index, "").total == 1


def test_a_rebuild_holds_what_the_export_reflected_or_the_live_watermark(
    backend_index, events
) -> None:
    backend_index.apply([events.upsert("p1"), events.upsert("p2")])
    backend_index.start_rebuild()
    backend_index.load_rebuild([events.upsert("p1"), events.upsert("p2"), events.upsert("p3")])
    backend_index.finish_rebuild(watermark=9)

    assert backend_index.watermark() == (9, 3)

    backend_index.start_rebuild()
    backend_index.finish_rebuild(watermark=4)

    assert backend_index.watermark() == (9, 0)


# -- suggestions ---------------------------------------------------------------------------


def test_suggestions_complete_the_last_word(backend_index, events) -> None:
    backend_index.apply(
        [
            events.upsert("p1", title="Sécurité informatique", created_at=events.at(1)),
            events.upsert("p2", title="Séminaire annuel", created_at=events.at(2)),
            events.upsert("p3", title="Sécurité informatique", created_at=events.at(3)),
            events.upsert("c1", doc_type="comment", post_id="p1", title="", body="sécurité"),
        ]
    )

    assert [s.title for s in backend_index.suggest("se", EMPLOYEE, 5)] == [
        "Sécurité informatique",
        "Séminaire annuel",
    ]
    assert [s.id for s in backend_index.suggest("securite inf", EMPLOYEE, 5)] == ["p3"]
    assert backend_index.suggest("zzz", EMPLOYEE, 5) == []
