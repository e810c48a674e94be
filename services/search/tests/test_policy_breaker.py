"""Search asks policy for the caller's principals behind a deadline and a circuit breaker."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

from townhall_search.app import create_app
from townhall_search.settings import SearchSettings


def test_with_policy_down_searches_fail_closed_and_the_breaker_stops_calling_it(
    search_settings: SearchSettings, as_user: Callable[[str], dict[str, str]]
) -> None:
    calls = {"n": 0}

    def down(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ConnectError("policy is down", request=request)

    settings = search_settings.model_copy(
        update={"policy_breaker_failures": 3, "policy_breaker_reset_seconds": 300}
    )
    app = create_app(settings, policy_transport=httpx.MockTransport(down))
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(20):
            response = client.get("/v1/search", params={"q": "x"}, headers=as_user("alice"))
            assert response.status_code == 503
            assert response.json()["type"].endswith("/dependency-unavailable")
        breaker = app.state.breakers[0]
        # Retries included, the breaker opened after three failed calls: the other
        # searches were refused without reaching the network.
        assert calls["n"] <= 3, (breaker.state, breaker.refusals)
        metrics = client.get("/metrics").text
    assert 'townhall_dependency_breaker_state{dependency="policy"} 1.0' in metrics
