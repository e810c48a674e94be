"""The generated population: people over three sites, employees through their site."""

from __future__ import annotations

from typing import Any

from townhall_contracts import demo_population
from townhall_platform.db import make_engine, session_scope
from townhall_policy.seed import seed_population

SIZE = 40


def _seed(database_url: str) -> Any:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return seed_population(session, SIZE)
    finally:
        engine.dispose()


def test_generated_people_are_employees_of_a_site_and_members_of_the_shared_space(
    api: Any, seeded_url: str
) -> None:
    first = _seed(seeded_url)
    again = _seed(seeded_url)

    assert first.users_created == SIZE and first.groups_created == len(demo_population.SITES)
    assert not again.changed
    people = demo_population.population(SIZE)
    someone = people[0]
    principals = api.client.get(
        f"/v1/subjects/{someone.id}/principals", headers=api.service
    ).json()["principals"]
    assert {"org", "space:entraide", f"group:{someone.site}"} <= set(principals)
    sites = api.client.get("/internal/v1/groups?type=site", headers=api.service).json()
    assert [g["id"] for g in sites["groups"]] == sorted(demo_population.SITES)
    lyon = api.client.post(
        "/internal/v1/audiences", json={"principals": ["group:lyon"]}, headers=api.service
    ).json()["subjects"]
    expected = {p.id for p in people if p.site == "lyon"} | {
        user for user, site in demo_population.NAMED_SITES.items() if site == "lyon"
    }
    assert set(lyon) == expected
