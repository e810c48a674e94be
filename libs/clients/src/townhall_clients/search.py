"""Typed client of the search service."""

from __future__ import annotations

from typing import Any

from townhall_contracts.search import (
    IndexBatch,
    IndexBatchResult,
    SearchResults,
    VocabularyRead,
    VocabularyUpdate,
)

from .base import ServiceClient


class SearchClient(ServiceClient):
    service_name = "search"

    def bulk_index(self, batch: IndexBatch) -> IndexBatchResult:
        """Apply index events; safe to retry since search applies them idempotently."""
        response = self.request(
            "POST",
            "/internal/v1/index/bulk",
            idempotent=True,
            json=batch.model_dump(mode="json"),
        )
        return IndexBatchResult.model_validate_json(response.content)

    def search(self, *, user_token: str, **params: Any) -> SearchResults:
        """Search as a user (their token decides what they may read)."""
        query = {k: v for k, v in params.items() if v is not None}
        response = self.request(
            "GET", "/v1/search", idempotent=True, token=user_token, params=query
        )
        return SearchResults.model_validate_json(response.content)

    def search_opened(self, search_id: str, *, user_token: str) -> None:
        """Report that the user opened a result of the search (search keeps no user id)."""
        self.request(
            "POST",
            f"/v1/searches/{search_id}/opened",
            idempotent=True,
            token=user_token,
            expected=(202,),
        )

    def reindex(self) -> dict[str, Any]:
        """Start a full rebuild from publishing (service tokens); answers its status."""
        response = self.request(
            "POST", "/internal/v1/index/reindex", idempotent=False, expected=(202,)
        )
        return dict(response.json())

    def reindex_status(self) -> dict[str, Any]:
        """The progress of the current or last rebuild."""
        response = self.request("GET", "/internal/v1/index/reindex", idempotent=True)
        return dict(response.json())

    def suggestions(self, *, user_token: str, q: str, limit: int = 8) -> list[dict[str, Any]]:
        """Readable titles completing the typed text (type-ahead)."""
        response = self.request(
            "GET",
            "/v1/search/suggestions",
            idempotent=True,
            token=user_token,
            params={"q": q, "limit": limit},
        )
        return list(response.json()["suggestions"])

    def vocabulary(self, *, user_token: str) -> VocabularyRead:
        """The current vocabulary and best bets (communicators only)."""
        response = self.request("GET", "/v1/search/vocabulary", idempotent=True, token=user_token)
        return VocabularyRead.model_validate_json(response.content)

    def replace_vocabulary(self, update: VocabularyUpdate, *, user_token: str) -> VocabularyRead:
        """A new version of the vocabulary; 409 when `update.version` is no longer current."""
        response = self.request(
            "PUT",
            "/v1/search/vocabulary",
            idempotent=False,
            token=user_token,
            json=update.model_dump(mode="json"),
        )
        return VocabularyRead.model_validate_json(response.content)
