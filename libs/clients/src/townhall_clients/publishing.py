"""Typed client of the publishing service (the internal endpoints other services use)."""

from __future__ import annotations

from townhall_contracts.search import DocumentExportPage

from .base import ServiceClient


class PublishingClient(ServiceClient):
    service_name = "publishing"

    def export_documents(self, *, after: str | None = None, limit: int = 500) -> DocumentExportPage:
        """One page of every post and comment as a search document, with its version."""
        params: dict[str, str | int] = {"limit": limit}
        if after is not None:
            params["after"] = after
        response = self.request(
            "GET", "/internal/v1/export/documents", idempotent=True, params=params
        )
        return DocumentExportPage.model_validate_json(response.content)
