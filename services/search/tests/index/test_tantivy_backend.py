"""The tantivy index: events in, permission-filtered searches out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall_search.index import FACET_FIELDS, SearchQuery, TantivyIndex, tantivy_pages
from townhall_search.index.backend import TYPO_FALLBACK_HITS
from townhall_search.index.tantivy_backend import IndexWriterBusy

EMPLOYEE = frozenset({"org", "user:david"})
HR_MEMBER = frozenset({"org", "user:chloe", "space:hr-confidential"})
HR_ONLY = ["space:hr-confidential", "auditor:org", "user:chloe"]


def ask(index: TantivyIndex, text: str = "", principals: frozenset[str] = EMPLOYEE, **kw):
    # Every facet unless the test says otherwise: most tests check what they reveal.
    kw.setdefault("facets", FACET_FIELDS)
    return index.search(SearchQuery(text=text, principals=principals, **kw))


def ids(page) -> list[str]:
    return [hit.id for hit in page.hits]


# -- language ------------------------------------------------------------------------------


def test_unaccented_french_stem_finds_accented_text(index, events) -> None:
    index.apply([events.upsert("p1", title="La sécurité des données", body="Rappel annuel.")])

    page = ask(index, "securite")

    assert ids(page) == ["p1"]
    assert page.hits[0].highlights["title"] == ["La <b>sécurité</b> des données"]


def test_french_plural_finds_singular(index, events) -> None:
    index.apply([events.upsert("p1", body="Une réunion importante demain.")])

    assert ids(ask(index, "réunions")) == ["p1"]
    assert ids(ask(index, "REUNIONS")) == ["p1"]


def test_english_stemming(index, events) -> None:
    index.apply([events.upsert("p1", title="Running the servers", body="Policies apply.")])

    assert ids(ask(index, "run")) == ["p1"]
    assert ids(ask(index, "policy")) == ["p1"]


def test_phrase_and_exclusion(index, events) -> None:
    index.apply(
        [
            events.upsert("p1", body="security audit next week"),
            events.upsert("p2", body="audit of security next week"),
        ]
    )

    assert ids(ask(index, '"security audit"')) == ["p1"]
    assert ids(ask(index, "audit -security")) == []


# -- typo tolerance (tantivy only: OpenSearch expands every longer word, see docs/api.md) --


def _plannings(events, count: int) -> list:
    return [events.upsert(f"exact{n}", title="Planning", body="Réunion.") for n in range(count)]


def test_known_word_expands_typos_only_when_exact_words_find_too_little(index, events) -> None:
    typo = events.upsert("typo", title="Équipes", body="Le planing des équipes.")
    index.apply([typo, *_plannings(events, TYPO_FALLBACK_HITS - 1)])

    # 19 exact matches: too few, so "planning" also matches "planing" with one typo.
    assert "typo" in ids(ask(index, "planning ", limit=50))

    index.apply(_plannings(events, TYPO_FALLBACK_HITS)[-1:])

    # 20 exact matches: "planning" is a known word, not a typo; no expansion.
    page = ask(index, "planning ", limit=50)
    assert "typo" not in ids(page)
    assert page.total == TYPO_FALLBACK_HITS


def test_unknown_word_expands_typos_whatever_the_other_words_find(index, events) -> None:
    budget = events.upsert("budget", title="Budget annuel", body="Prévisions.")
    annual = [events.upsert(f"a{n}", title="Bilan annuel", body="Chiffres.") for n in range(25)]
    index.apply([budget, *annual])

    # "bugdet" is in no document: a typo, expanded even though "annuel" finds 26.
    page = ask(index, "bugdet annuel ", limit=50)
    assert ids(page)[0] == "budget"
    assert page.total == 26


def test_title_match_ranks_above_body_match(index, events) -> None:
    index.apply(
        [
            events.upsert("body", title="Weekly notes", body="A word about the budget."),
            events.upsert("title", title="Budget", body="Figures for the quarter."),
        ]
    )

    assert ids(ask(index, "budget")) == ["title", "body"]


# -- permissions inside the query ----------------------------------------------------------


@pytest.fixture
def restricted(index, events) -> TantivyIndex:
    index.apply(
        [
            events.upsert(
                "public",
                title="Sécurité au bureau",
                body="Badges obligatoires.",
                space_id="cafe",
                author_id="bob",
            ),
            events.upsert(
                "secret",
                title="Sécurité des salaires",
                body="Grille confidentielle de sécurité.",
                kind="official",
                space_id="hr-confidential",
                author_id="chloe",
                readers=HR_ONLY,
            ),
        ]
    )
    return index


def test_unreadable_document_leaves_no_trace(restricted) -> None:
    page = ask(restricted, "sécurité", EMPLOYEE)

    assert ids(page) == ["public"]
    assert page.total == 1
    assert page.facets["space_id"] == [_bucket("cafe", 1)]
    assert page.facets["kind"] == [_bucket("social", 1)]
    assert page.facets["author_id"] == [_bucket("bob", 1)]
    assert all("salaires" not in text for hit in page.hits for text in hit.highlights["title"])


def test_unreadable_document_absent_even_when_filtered_for(restricted) -> None:
    page = ask(restricted, "", EMPLOYEE, space_id="hr-confidential")

    assert (page.total, page.hits) == (0, [])
    assert all(buckets == [] for buckets in page.facets.values())


def test_member_finds_restricted_document(restricted) -> None:
    page = ask(restricted, "salaires", HR_MEMBER)

    assert ids(page) == ["secret"]
    assert page.facets["space_id"] == [_bucket("hr-confidential", 1)]
    assert page.hits[0].highlights["title"] == ["Sécurité des <b>salaires</b>"]


def test_no_principals_reads_nothing(restricted) -> None:
    page = ask(restricted, "", frozenset())

    assert (page.total, page.hits) == (0, [])


def test_field_syntax_in_user_text_cannot_reach_other_fields(restricted) -> None:
    # "readers:" is not field syntax for users; it is just two words.
    page = ask(restricted, "readers:space:hr-confidential", EMPLOYEE)

    assert page.total == 0


# -- facets, filters, highlights -----------------------------------------------------------


def test_facet_counts_and_filters(index, events) -> None:
    index.apply(
        [
            events.upsert("a", title="budget", space_id="cafe", author_id="bob"),
            events.upsert("b", title="budget", space_id="cafe", author_id="alice"),
            events.upsert("c", title="budget", space_id="engineering", kind="official"),
            events.upsert("d", title="unrelated", space_id="engineering"),
        ]
    )

    page = ask(index, "budget")

    assert page.total == 3
    assert page.facets["space_id"] == [_bucket("cafe", 2), _bucket("engineering", 1)]
    assert page.facets["kind"] == [_bucket("social", 2), _bucket("official", 1)]
    assert page.facets["author_id"] == [_bucket("alice", 2), _bucket("bob", 1)]
    assert ids(ask(index, "budget", kind="official")) == ["c"]
    assert sorted(ids(ask(index, "budget", space_id="cafe"))) == ["a", "b"]
    assert ids(ask(index, "budget", author_id="bob")) == ["a"]


def test_highlights_escape_html(index, events) -> None:
    index.apply(
        [
            events.upsert(
                "p1",
                title='<img src=x onerror="alert(1)"> sécurité',
                body="Avant <script>alert('x')</script> & la sécurité \"citée\".",
            )
        ]
    )

    hit = ask(index, "securite").hits[0]

    assert hit.highlights["title"] == [
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <b>sécurité</b>"
    ]
    # A text shorter than an excerpt is shown whole.
    assert hit.highlights["body"] == [
        "Avant &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; la "
        "<b>sécurité</b> &quot;citée&quot;."
    ]
    assert hit.title == '<img src=x onerror="alert(1)"> sécurité'


def test_empty_text_lists_newest_first_without_highlights(index, events) -> None:
    index.apply(
        [
            events.upsert("old", created_at=events.at(0)),
            events.upsert("new", created_at=events.at(10)),
            events.upsert("mid", created_at=events.at(5)),
        ]
    )

    page = ask(index, "")

    assert ids(page) == ["new", "mid", "old"]
    assert all(hit.highlights == {"title": [], "body": []} for hit in page.hits)


def test_hits_carry_the_document_fields(index, events) -> None:
    index.apply(
        [
            events.upsert(
                "c1",
                doc_type="comment",
                post_id="p9",
                kind="official",
                space_id="general",
                author_id="sophie",
                title="",
                body="Réponse officielle",
                created_at=events.at(3),
            )
        ]
    )

    hit = ask(index, "officielle").hits[0]

    assert (hit.id, hit.doc_type, hit.post_id) == ("c1", "comment", "p9")
    assert (hit.kind, hit.space_id, hit.author_id) == ("official", "general", "sophie")
    assert hit.created_at == events.at(3)
    assert hit.score > 0


def test_offset_and_limit_page_through_all_hits(index, events) -> None:
    index.apply([events.upsert(f"p{n}", body=f"rapport numéro {n}") for n in range(7)])

    pages = [ids(ask(index, "rapport", offset=offset, limit=3)) for offset in (0, 3, 6)]

    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(doc_id for page in pages for doc_id in page) == [f"p{n}" for n in range(7)]


# -- idempotent events ---------------------------------------------------------------------


def test_duplicate_event_is_skipped(index, events) -> None:
    event = events.upsert("p1", version=1, title="premier")

    first = index.apply([event])
    again = index.apply([event])

    assert (first.applied, first.skipped) == (1, 0)
    assert (again.applied, again.skipped) == (0, 1)
    assert ask(index, "premier").total == 1


def test_out_of_order_older_version_does_not_overwrite(index, events) -> None:
    index.apply([events.upsert("p1", version=3, title="troisième version")])

    outcome = index.apply([events.upsert("p1", version=2, title="deuxième version")])

    assert (outcome.applied, outcome.skipped) == (0, 1)
    assert ids(ask(index, "troisième")) == ["p1"]
    assert ask(index, "deuxième").total == 0
    assert index.versions(["p1"]) == {"p1": 3}


def test_newer_version_replaces_the_document(index, events) -> None:
    index.apply([events.upsert("p1", version=1, title="brouillon")])
    index.apply([events.upsert("p1", version=2, title="publication")])

    assert ask(index, "brouillon").total == 0
    assert ids(ask(index, "publication")) == ["p1"]
    assert ask(index, "").total == 1


def test_several_versions_in_one_batch_keep_the_last(index, events) -> None:
    outcome = index.apply(
        [
            events.upsert("p1", version=1, title="alpha"),
            events.upsert("p1", version=3, title="gamma"),
            events.upsert("p1", version=2, title="beta"),
        ]
    )

    assert (outcome.applied, outcome.skipped) == (2, 1)
    assert ids(ask(index, "gamma")) == ["p1"]
    assert ask(index, "alpha beta").total == 0


def test_delete_leaves_a_tombstone_older_upsert_cannot_resurrect(index, events) -> None:
    index.apply([events.upsert("p1", version=1, title="éphémère")])

    index.apply([events.delete("p1", version=2)])
    late = index.apply([events.upsert("p1", version=1, title="éphémère")])

    assert (late.applied, late.skipped) == (0, 1)
    assert index.versions(["p1"]) == {"p1": 2}
    everyone = frozenset({"org", "auditor:org", "user:alice"})
    assert ask(index, "éphémère", everyone).total == 0
    assert ask(index, "", everyone).total == 0


def test_delete_before_any_upsert_blocks_older_upserts(index, events) -> None:
    index.apply([events.delete("p1", version=5)])

    assert index.apply([events.upsert("p1", version=4)]).skipped == 1
    assert index.apply([events.upsert("p1", version=6, title="retour")]).applied == 1
    assert ids(ask(index, "retour")) == ["p1"]


def test_upsert_without_readers_is_a_tombstone(index, events) -> None:
    index.apply([events.upsert("p1", version=1, title="retiré")])

    index.apply([events.upsert("p1", version=2, title="retiré", readers=[])])

    assert ask(index, "retiré", frozenset({"org", "auditor:org", "user:alice"})).total == 0
    assert index.versions(["p1"]) == {"p1": 2}


def test_concurrent_batches_keep_the_newest_version(index, events) -> None:
    batches = [[events.upsert("p1", version=v, title=f"version{v}")] for v in range(1, 41)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(index.apply, batches))

    assert index.versions(["p1"]) == {"p1": 40}
    assert ids(ask(index, "version40")) == ["p1"]
    assert ask(index, "").total == 1
    assert sum(o.applied + o.skipped for o in outcomes) == 40


def test_state_survives_reopening(tmp_path: Path, events) -> None:
    directory = tmp_path / "index"
    first = TantivyIndex.open(directory, heap_bytes=15_000_000)
    first.apply([events.upsert("p1", version=2, title="persistant"), events.delete("p2", 3)])
    first.close()

    second = TantivyIndex.open(directory, heap_bytes=15_000_000)
    try:
        assert ids(ask(second, "persistant")) == ["p1"]
        assert second.versions(["p1", "p2", "p3"]) == {"p1": 2, "p2": 3}
    finally:
        second.close()


def test_one_writer_per_index_directory(tmp_path: Path) -> None:
    directory = tmp_path / "index"
    first = TantivyIndex.open(directory, heap_bytes=15_000_000)
    try:
        # tantivy is one process: a second one is refused and told what to run instead.
        with pytest.raises(IndexWriterBusy, match=r"runs as one search process.*OpenSearch"):
            TantivyIndex.open(directory, heap_bytes=15_000_000)
    finally:
        first.close()
    assert not first.ready()


# -- raw user input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"sécurité',
        "sécurité\"'",
        "Note: sécurité",
        "l'été sécurité",
        "(((sécurité",
        "sécurité AND",
        "[sécurité TO",
        "sécurité\x00\x07\x1b",
        "sécurité \\",
        "sécurité^",
        "sécurité~",
    ],
)
def test_malformed_text_still_finds_its_words(index, events, text: str) -> None:
    index.apply([events.upsert("p1", title="La sécurité des données")])

    assert ids(ask(index, text)) == ["p1"]


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "\t\n"])
def test_blank_text_matches_everything_readable(index, events, text: str) -> None:
    index.apply([events.upsert("p1"), events.upsert("p2", readers=HR_ONLY)])

    assert ids(ask(index, text)) == ["p1"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_any_text_gives_an_answer_within_permissions(index, events, text: str) -> None:
    if not index.versions(["p1"]):
        index.apply(
            [
                events.upsert("p1", title="sécurité publique"),
                events.upsert("p2", title="sécurité secrète", readers=HR_ONLY),
            ]
        )

    page = ask(index, text)

    assert page.total <= 1
    assert set(ids(page)) <= {"p1"}


def _bucket(value: str, count: int):
    from townhall_contracts.search import FacetBucket

    return FacetBucket(value=value, count=count)


# -- a damaged index does not stop the process --------------------------------------------


def test_the_watermark_survives_a_restart(tmp_path: Path, events) -> None:
    directory = tmp_path / "index"
    first = TantivyIndex.open(directory, heap_bytes=15_000_000)
    first.apply([events.upsert("p1"), events.upsert("p2")])
    first.close()

    again = TantivyIndex.open(directory, heap_bytes=15_000_000)
    try:
        assert again.watermark() == (2, 2)
        assert again.damage() is None
    finally:
        again.close()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: (d / "CURRENT").write_bytes(b"\x00\xff garbage"), "CURRENT cannot be read"),
        (lambda d: (d / "CURRENT").write_text("../../etc\n"), "names no index generation"),
        (lambda d: (d / "CURRENT").unlink(), "CURRENT is missing"),
        (
            lambda d: [
                segment.write_bytes(segment.read_bytes()[:10])
                for segment in (d / "gen-000001").glob("*.store")
            ],
            "Footer magic byte mismatch",
        ),
    ],
    ids=["garbage-current", "current-elsewhere", "no-current", "truncated-segment"],
)
def test_a_damaged_index_opens_empty_and_says_why(tmp_path: Path, events, damage, reason) -> None:
    directory = tmp_path / "index"
    first = TantivyIndex.open(directory, heap_bytes=15_000_000)
    first.apply([events.upsert("p1", title="Budget")])
    first.close()
    damage(directory)

    opened = TantivyIndex.open(directory, heap_bytes=15_000_000)
    try:
        assert reason in (opened.damage() or "")
        assert opened.count() == 0
        # Events still land (in a spare generation, and in the rebuild once it runs), and
        # the rebuild replaces everything.
        opened.apply([events.upsert("p2", title="Budget")])
        opened.start_rebuild()
        opened.apply([events.upsert("p2", version=2, title="Budget")])
        opened.load_rebuild([events.upsert("p1", title="Budget")])
        opened.finish_rebuild(watermark=5)

        assert opened.damage() is None
        assert sorted(ids(ask(opened, "budget "))) == ["p1", "p2"]
        live = (directory / "CURRENT").read_text().strip()
        assert [p.name for p in directory.iterdir() if p.is_dir()] == [live]
    finally:
        opened.close()


# -- a rebuild's segments -----------------------------------------------------------------


def test_a_rebuild_held_by_its_heap_is_one_segment(tmp_path: Path, events) -> None:
    # Every search reads each segment on its own: the rebuild's writer (one indexing
    # thread, its own heap) leaves one where the live writer's two threads would leave two.
    opened = TantivyIndex.open(
        tmp_path / "index", heap_bytes=15_000_000, rebuild_heap_bytes=60_000_000
    )
    try:
        opened.start_rebuild()
        for batch in range(3):
            opened.load_rebuild(
                [events.upsert(f"p{batch}-{n}", title="Budget") for n in range(300)]
            )
        opened.finish_rebuild()

        page = ask(opened, "budget ", limit=1)
        assert page.total == 900
        live = opened._require_live()
        assert live.index.searcher().num_segments == 1
    finally:
        opened.close()


# -- a fully determined order --------------------------------------------------------------


def test_every_page_follows_score_then_newest_then_id(index, events, monkeypatch) -> None:
    moments = [events.at(minutes) for minutes in (0, 0, 1, 1, 1, 2)]
    index.apply(
        [
            events.upsert(
                f"p{n:02d}",
                title="Budget" if n % 3 == 0 else "Note",
                body="budget",
                kind="official" if n % 5 == 0 else "social",
                created_at=moments[n % len(moments)],
            )
            for n in range(40)
        ]
    )
    everything = ask(index, "budget ", limit=100)
    expected = sorted(
        everything.hits, key=lambda hit: (-hit.score, -hit.created_at.timestamp(), hit.id)
    )
    assert ids(everything) == [hit.id for hit in expected]

    for whole_region in (256, 0):
        monkeypatch.setattr(tantivy_pages, "FETCH_WHOLE_REGION", whole_region)
        paged = [
            hit_id
            for offset in range(0, 40, 7)
            for hit_id in ids(ask(index, "budget ", offset=offset, limit=7))
        ]
        assert paged == ids(everything), whole_region
