"""scim2-client over httpx, for the tests.

scim2-client's own network engine needs `httpx2`, and Starlette's TestClient switches to
`httpx2` whenever it is installed, which changes cookie handling for every other test of
the suite. This engine is that one's, on the httpx the project already uses.
"""

from __future__ import annotations

from typing import Any

import httpx
from scim2_client.client import BaseSyncSCIMClient, RawResponse
from scim2_client.errors import RequestNetworkException


class SyncSCIMClient(BaseSyncSCIMClient):  # type: ignore[misc]
    """Sends scim2-client's requests with an `httpx.Client` (its `base_url` the SCIM root)."""

    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        try:
            url = self.client.build_request("GET", endpoint).url
        except httpx.InvalidURL:
            return False
        same_origin = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
        return same_origin and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response: RawResponse) -> Any:
        assert isinstance(response, httpx.Response)
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            failure = RequestNetworkException()
            failure.add_note(str(exc))
            raise failure from exc
