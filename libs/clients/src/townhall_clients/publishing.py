"""Typed client of the publishing service.

Search reads the internal export with its service token; the portal calls the user-facing
API with the signed-in user's token, and publishing applies policy to each call as it would
for any other client.
"""

from __future__ import annotations

from typing import Any

from townhall_contracts.search import DocumentExportPage, ExportSummary

from .base import ServiceClient, without_empty

JSON = dict[str, Any]


class PublishingClient(ServiceClient):
    """The internal export, and spaces, posts, workflow, moderation and indicators as a user."""

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

    def export_summary(self, *, through: int | None = None) -> ExportSummary:
        """The outbox's delivered watermark and, for `through`, how many documents the
        events up to it name: what search's index must hold."""
        params = {"through": through} if through is not None else {}
        response = self.request(
            "GET", "/internal/v1/export/summary", idempotent=True, params=params
        )
        return ExportSummary.model_validate_json(response.content)

    def _get(self, path: str, user_token: str, **params: Any) -> JSON:
        response = self.request(
            "GET", path, idempotent=True, token=user_token, params=without_empty(params)
        )
        return dict(response.json())

    def _post(
        self, path: str, user_token: str, body: JSON | None = None, expected: tuple[int, ...] = ()
    ) -> JSON:
        response = self.request(
            "POST",
            path,
            idempotent=False,
            token=user_token,
            expected=expected or (200, 201),
            json=body if body is not None else {},
        )
        return dict(response.json()) if response.content else {}

    # Reading.

    def feed(self, *, user_token: str, cursor: str | None = None, limit: int = 20) -> JSON:
        """Readable published posts, official and pinned first: `{items, next_cursor}`."""
        return self._get("/v1/feed", user_token, cursor=cursor, limit=limit)

    def spaces(self, *, user_token: str) -> list[JSON]:
        """The spaces the user may see."""
        return list(self._get("/v1/spaces", user_token)["items"])

    def space(self, space_id: str, *, user_token: str) -> JSON:
        """One space (404 when the user may not see it)."""
        return self._get(f"/v1/spaces/{space_id}", user_token)

    def space_posts(
        self, space_id: str, *, user_token: str, cursor: str | None = None, limit: int = 20
    ) -> JSON:
        """A space's readable posts: `{items, next_cursor}`."""
        return self._get(f"/v1/spaces/{space_id}/posts", user_token, cursor=cursor, limit=limit)

    def post(self, post_id: str, *, user_token: str) -> JSON:
        """One post the user may read (404 otherwise)."""
        return self._get(f"/v1/posts/{post_id}", user_token)

    def comments(self, post_id: str, *, user_token: str) -> list[JSON]:
        """The comments of a post that the user may read."""
        return list(self._get(f"/v1/posts/{post_id}/comments", user_token)["items"])

    def acknowledgements(self, post_id: str, *, user_token: str) -> JSON:
        """Who of an official post's audience acknowledged it and who has not."""
        return self._get(f"/v1/posts/{post_id}/acknowledgements", user_token)

    def history(self, post_id: str, *, user_token: str) -> JSON:
        """A post's workflow steps with the decision behind each."""
        return self._get(f"/v1/posts/{post_id}/history", user_token)

    def review_queue(self, *, user_token: str) -> JSON:
        """Official posts waiting for the user's approval: `{items, next_cursor}`."""
        return self._get("/v1/workflow/queue", user_token)

    def report_queue(self, *, user_token: str) -> JSON:
        """Open reports, for moderators."""
        return self._get("/v1/moderation/reports", user_token)

    def indicators(self, *, user_token: str, **params: Any) -> JSON:
        """Posts, participation, reach and acknowledgement rates over time."""
        return self._get("/v1/indicators", user_token, **params)

    # Writing.

    def create_post(self, *, user_token: str, **fields: Any) -> JSON:
        """Create a post (`space_id`, `kind`, `title`, `body`, …); answers it with its `id`."""
        return self._post("/v1/posts", user_token, without_empty(fields), expected=(201,))

    def comment(self, post_id: str, *, user_token: str, **fields: Any) -> JSON:
        """Comment on a post (`body`, and `official`/`authority` for an official answer)."""
        return self._post(f"/v1/posts/{post_id}/comments", user_token, fields, expected=(201,))

    def post_action(
        self, post_id: str, action: str, *, user_token: str, body: JSON | None = None
    ) -> JSON:
        """One of the post's actions: submit, approve, reject, publish, retract, acknowledge,
        endorse, pin, reactions, reports, hide, restore."""
        return self._post(f"/v1/posts/{post_id}/{action}", user_token, body)

    def dismiss_report(self, report_id: str, *, user_token: str, reason: str) -> JSON:
        """Close a report without acting on the content."""
        return self._post(
            f"/v1/moderation/reports/{report_id}/dismiss", user_token, {"reason": reason}
        )
