"""GET /v1/search beyond the basics: dates, sort, stable cursors, suggestions, bad input."""

from __future__ import annotations

import string
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BULK = "/internal/v1/index/bulk"
SEARCH = "/v1/search"
SUGGEST = "/v1/search/suggestions"
PROBLEM = "application/problem+json"
HR_ONLY = ["auditor:org", "space:hr-confidential", "user:chloe"]


def _problem(response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    if slug:
        assert response.json()["type"].endswith("/" + slug)
    return response.json()


@pytest.fixture
def seeded(client, events, as_service):
    batch = events.batch(
        events.upsert("jan", title="Rapport de janvier", created_at=events.at(0)),
        events.upsert(
            "feb", title="Rapport de février", kind="official", created_at=events.at(60 * 24 * 31)
        ),
        events.upsert(
            "hr", title="Rapport RH confidentiel", readers=HR_ONLY, created_at=events.at(10)
        ),
    )
    assert client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service()).is_success
    return client


def _ids(body: dict) -> list[str]:
    return [hit["id"] for hit in body["hits"]]


def test_date_range_filter(seeded, as_user) -> None:
    body = seeded.get(
        SEARCH,
        params={
            "q": "rapport",
            "from": "2025-03-15",
            "to": "2025-04-30T00:00:00Z",
            "facets": "month",
        },
        headers=as_user("david"),
    ).json()

    assert _ids(body) == ["feb"]
    assert body["facets"]["month"] == [{"value": "2025-04", "count": 1}]


def test_inverted_date_range_is_400(seeded, as_user) -> None:
    response = seeded.get(
        SEARCH, params={"from": "2025-05-01", "to": "2025-04-01"}, headers=as_user("david")
    )

    _problem(response, 400, "invalid-date-range")


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-02-30", "9" * 40])
def test_malformed_date_is_422(seeded, as_user, value) -> None:
    _problem(seeded.get(SEARCH, params={"from": value}, headers=as_user("david")), 422)


def test_sort_by_date_and_unknown_sort(seeded, as_user) -> None:
    body = seeded.get(SEARCH, params={"q": "rapport", "sort": "date"}, headers=as_user("david"))

    assert _ids(body.json()) == ["feb", "jan"]
    _problem(seeded.get(SEARCH, params={"sort": "random"}, headers=as_user("david")), 422)


def test_official_posts_are_boosted_in_relevance_order(seeded, as_user) -> None:
    body = seeded.get(SEARCH, params={"q": "rapport"}, headers=as_user("david")).json()

    assert _ids(body)[0] == "feb"


def test_cursor_pages_are_not_shifted_by_new_posts(client, events, as_service, as_user) -> None:
    first = events.batch(
        *(events.upsert(f"p{n:02}", title=f"Note {n}", created_at=events.at(n)) for n in range(6))
    )
    client.post(BULK, json=first.model_dump(mode="json"), headers=as_service())
    page1 = client.get(SEARCH, params={"sort": "date", "limit": 3}, headers=as_user("david")).json()
    # A newer post arrives between the two pages.
    time.sleep(1.1)  # the snapshot has a one-second resolution on tantivy
    late = events.batch(events.upsert("late", title="Note tardive", created_at=events.at(100)))
    client.post(BULK, json=late.model_dump(mode="json"), headers=as_service())
    page2 = client.get(
        SEARCH,
        params={"sort": "date", "limit": 3, "cursor": page1["next_cursor"]},
        headers=as_user("david"),
    ).json()

    assert _ids(page1) == ["p05", "p04", "p03"]
    assert _ids(page2) == ["p02", "p01", "p00"]
    assert page2["total"] == 6
    fresh = client.get(SEARCH, params={"sort": "date", "limit": 3}, headers=as_user("david"))
    assert _ids(fresh.json())[0] == "late"


def test_cursor_of_another_sort_or_date_range_is_400(seeded, as_user) -> None:
    page = seeded.get(SEARCH, params={"q": "rapport", "limit": 1}, headers=as_user("david"))
    cursor = page.json()["next_cursor"]

    for params in ({"sort": "date"}, {"from": "2025-01-01"}):
        response = seeded.get(
            SEARCH,
            params={"q": "rapport", "limit": 1, "cursor": cursor, **params},
            headers=as_user("david"),
        )
        _problem(response, 400, "invalid-cursor")


def test_suggestions_only_readable_titles(seeded, as_user) -> None:
    david = seeded.get(SUGGEST, params={"q": "rapp"}, headers=as_user("david")).json()
    chloe = seeded.get(SUGGEST, params={"q": "rapport co"}, headers=as_user("chloe")).json()

    assert [s["id"] for s in david["suggestions"]] == ["feb", "jan"]
    assert [s["title"] for s in chloe["suggestions"]] == ["Rapport RH confidentiel"]
    assert seeded.get(SUGGEST, params={"q": "rapport co"}, headers=as_user("david")).json() == {
        "suggestions": []
    }


def test_suggestions_validate_input(seeded, as_user, as_service) -> None:
    assert seeded.get(SUGGEST, params={"q": ""}, headers=as_user("david")).json() == {
        "suggestions": []
    }
    _problem(seeded.get(SUGGEST, params={"q": "x" * 201}, headers=as_user("david")), 422)
    _problem(seeded.get(SUGGEST, params={"limit": 0}, headers=as_user("david")), 422)
    _problem(seeded.get(SUGGEST, params={"q": "ra"}, headers=as_service()), 403)
    _problem(seeded.get(SUGGEST, params={"q": "ra"}), 401)


# -- the fuzzer ----------------------------------------------------------------------------

_OPERATORS = st.sampled_from(['"', "+", "-", "*", ":", "(", ")", "'", "\\", "~", "^", "AND", "OR"])
_QUERY_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(_OPERATORS, st.text(alphabet=string.printable, max_size=12), st.text(max_size=8)),
        max_size=30,
    ).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=990, max_size=1100),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=_QUERY_TEXT,
    limit=st.integers(min_value=-5, max_value=150),
    sort=st.sampled_from(["relevance", "date", "", "x"]),
)
def test_fuzzed_queries_never_fail(seeded, as_user, q, limit, sort) -> None:
    params = {"q": q, "limit": str(limit), "sort": sort}
    for path in (SEARCH, SUGGEST):
        response = seeded.get(path, params=params, headers=as_user("david"))
        assert response.status_code in (200, 400, 422), response.text
        if response.status_code != 200:
            assert response.headers["content-type"].startswith(PROBLEM)
        elif path == SEARCH:
            body = response.json()
            assert "hr" not in _ids(body)
            assert body["total"] >= len(body["hits"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cursor=st.text(min_size=1, max_size=600))
def test_fuzzed_cursors_are_400_or_422(seeded, as_user, cursor) -> None:
    response = seeded.get(SEARCH, params={"cursor": cursor}, headers=as_user("david"))

    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith(PROBLEM)
