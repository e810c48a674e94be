"""Search as a user, with type-ahead suggestions (the portal's search page)."""

from __future__ import annotations

from typing import Any

from .search import SearchClient


class SearchUserClient(SearchClient):
    """`search` (inherited) plus the type-ahead endpoint."""

    def suggestions(self, *, user_token: str, q: str, limit: int = 8) -> list[dict[str, Any]]:
        """Readable titles completing the typed text."""
        response = self.request(
            "GET",
            "/v1/search/suggestions",
            idempotent=True,
            token=user_token,
            params={"q": q, "limit": limit},
        )
        return list(response.json()["suggestions"])
