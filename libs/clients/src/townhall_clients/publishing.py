"""Typed client of the publishing service.

Search reads the internal export with its service token; the portal calls the user-facing
API with the signed-in user's token, and publishing applies policy to each call as it would
for any other client. Requests and answers are publishing's public models
(`townhall_contracts.publishing`); a refusal raises `UnexpectedResponse` with its problem.
"""

from __future__ import annotations

import httpx

from townhall_contracts.publishing.engagement import (
    AcknowledgementRead,
    AcknowledgementReport,
    CommentCreate,
    CommentList,
    CommentRead,
    ReactionCreate,
    ReactionSummary,
)
from townhall_contracts.publishing.feed import FeedPage
from townhall_contracts.publishing.feed_tokens import (
    FeedTokenCreate,
    FeedTokenCreated,
    FeedTokenList,
    FeedTokenRead,
)
from townhall_contracts.publishing.media import MediaRead
from townhall_contracts.publishing.moderation import (
    ModerationActionList,
    ModerationActionRead,
    ModerationRequest,
    ReportCreate,
    ReportList,
    ReportRead,
)
from townhall_contracts.publishing.posts import (
    PostCreate,
    PostHistory,
    PostRead,
    PostUpdate,
    PublishRequest,
    ReasonRequest,
    RejectRequest,
    SubmitRequest,
    VouchRequest,
)
from townhall_contracts.publishing.searches import SearchRecorded
from townhall_contracts.publishing.spaces import SpaceList, SpaceRead
from townhall_contracts.search import DocumentExportPage, ExportSummary

from .publishing_indicators import IndicatorsClient


class PublishingClient(IndicatorsClient):
    """The internal export, and spaces, posts, workflow, moderation and indicators as a user."""

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

    def record_search(self, event: SearchRecorded) -> None:
        """Keep one search for the search-success indicator (no user id in it)."""
        # Idempotent: publishing keeps a search id once.
        self.request(
            "POST",
            "/internal/v1/searches",
            idempotent=True,
            expected=(204,),
            json=event.model_dump(mode="json"),
        )

    def record_search_opened(self, search_id: str) -> None:
        """Note that a result of the search was opened."""
        self.request(
            "POST", f"/internal/v1/searches/{search_id}/opened", idempotent=True, expected=(204,)
        )

    # Reading.

    def feed(self, *, user_token: str, cursor: str | None = None, limit: int = 20) -> FeedPage:
        """Readable published posts, official and pinned first."""
        return self._get(FeedPage, "/v1/feed", user_token, cursor=cursor, limit=limit)

    def spaces(self, *, user_token: str) -> list[SpaceRead]:
        """The spaces the user may see."""
        return self._get(SpaceList, "/v1/spaces", user_token).items

    def space(self, space_id: str, *, user_token: str) -> SpaceRead:
        """One space (404 when the user may not see it)."""
        return self._get(SpaceRead, f"/v1/spaces/{space_id}", user_token)

    def space_posts(
        self, space_id: str, *, user_token: str, cursor: str | None = None, limit: int = 20
    ) -> FeedPage:
        """A space's readable posts."""
        path = f"/v1/spaces/{space_id}/posts"
        return self._get(FeedPage, path, user_token, cursor=cursor, limit=limit)

    def post(self, post_id: str, *, user_token: str) -> PostRead:
        """One post the user may read (404 otherwise)."""
        return self._get(PostRead, f"/v1/posts/{post_id}", user_token)

    def comments(self, post_id: str, *, user_token: str) -> list[CommentRead]:
        """The comments of a post that the user may read."""
        return self._get(CommentList, f"/v1/posts/{post_id}/comments", user_token).items

    def acknowledgements(self, post_id: str, *, user_token: str) -> AcknowledgementReport:
        """Who of an official post's audience acknowledged it and who has not."""
        path = f"/v1/posts/{post_id}/acknowledgements"
        return self._get(AcknowledgementReport, path, user_token)

    def history(self, post_id: str, *, user_token: str) -> PostHistory:
        """A post's workflow steps with the decision behind each."""
        return self._get(PostHistory, f"/v1/posts/{post_id}/history", user_token)

    def review_queue(self, *, user_token: str) -> FeedPage:
        """Official posts waiting for the user's approval."""
        return self._get(FeedPage, "/v1/workflow/queue", user_token)

    def report_queue(self, *, user_token: str) -> list[ReportRead]:
        """Open reports, for moderators."""
        return self._get(ReportList, "/v1/moderation/reports", user_token).items

    def moderation_history(self, post_id: str, *, user_token: str) -> list[ModerationActionRead]:
        """What moderators did to a post and its comments, for moderators, oldest first."""
        answer = self._get(
            ModerationActionList, "/v1/moderation/actions", user_token, post_id=post_id
        )
        return sorted(answer.items, key=lambda action: (action.at, action.id))

    # Writing.

    def create_post(self, post: PostCreate, *, user_token: str) -> PostRead:
        """Create a post: social is published at once, official is a draft."""
        return self._post(PostRead, "/v1/posts", user_token, post)

    def edit_post(self, post_id: str, edit: PostUpdate, *, user_token: str) -> PostRead:
        """An edit by the author: a new revision of the text."""
        return self._post(PostRead, f"/v1/posts/{post_id}", user_token, edit, method="PATCH")

    def comment(self, post_id: str, comment: CommentCreate, *, user_token: str) -> CommentRead:
        """Comment on a post, or answer it officially."""
        return self._post(CommentRead, f"/v1/posts/{post_id}/comments", user_token, comment)

    def submit(
        self, post_id: str, request: SubmitRequest | None = None, *, user_token: str
    ) -> PostRead:
        """Submit an official draft for approval (and publication at `publish_at`)."""
        return self._post(PostRead, f"/v1/posts/{post_id}/submit", user_token, request)

    def approve(self, post_id: str, *, user_token: str) -> PostRead:
        return self._post(PostRead, f"/v1/posts/{post_id}/approve", user_token)

    def reject(self, post_id: str, request: RejectRequest, *, user_token: str) -> PostRead:
        return self._post(PostRead, f"/v1/posts/{post_id}/reject", user_token, request)

    def publish(
        self, post_id: str, request: PublishRequest | None = None, *, user_token: str
    ) -> PostRead:
        """Publish an approved post now, or schedule it."""
        return self._post(PostRead, f"/v1/posts/{post_id}/publish", user_token, request)

    def withdraw(self, post_id: str, *, user_token: str) -> PostRead:
        """The author takes a submission (submitted or approved) back to a draft."""
        return self._post(PostRead, f"/v1/posts/{post_id}/withdraw", user_token)

    def retract(self, post_id: str, request: ReasonRequest, *, user_token: str) -> PostRead:
        return self._post(PostRead, f"/v1/posts/{post_id}/retract", user_token, request)

    def acknowledge(self, post_id: str, *, user_token: str) -> AcknowledgementRead:
        return self._post(AcknowledgementRead, f"/v1/posts/{post_id}/acknowledge", user_token)

    def react(self, post_id: str, reaction: ReactionCreate, *, user_token: str) -> ReactionSummary:
        path = f"/v1/posts/{post_id}/reactions"
        return self._post(ReactionSummary, path, user_token, reaction)

    def report(self, post_id: str, report: ReportCreate, *, user_token: str) -> ReportRead:
        return self._post(ReportRead, f"/v1/posts/{post_id}/reports", user_token, report)

    def endorse(
        self, post_id: str, request: VouchRequest | None = None, *, user_token: str
    ) -> PostRead:
        """Endorse the revision the caller read (409 if the post was edited since)."""
        return self._post(PostRead, f"/v1/posts/{post_id}/endorse", user_token, request)

    def pin(
        self, post_id: str, request: VouchRequest | None = None, *, user_token: str
    ) -> PostRead:
        """Pin the revision the caller read (409 if the post was edited since)."""
        return self._post(PostRead, f"/v1/posts/{post_id}/pin", user_token, request)

    def hide(
        self, post_id: str, request: ModerationRequest, *, user_token: str
    ) -> ModerationActionRead:
        """Hide a post, or one of its comments, with a reason."""
        path = f"/v1/posts/{post_id}/hide"
        return self._post(ModerationActionRead, path, user_token, request)

    def restore(
        self, post_id: str, request: ModerationRequest, *, user_token: str
    ) -> ModerationActionRead:
        """Restore a hidden post, or one of its comments, with a reason."""
        path = f"/v1/posts/{post_id}/restore"
        return self._post(ModerationActionRead, path, user_token, request)

    def dismiss_report(
        self, report_id: str, request: ReasonRequest, *, user_token: str
    ) -> ReportRead:
        """Close a report without acting on the content."""
        path = f"/v1/moderation/reports/{report_id}/dismiss"
        return self._post(ReportRead, path, user_token, request)

    # Feed tokens (the Atom feeds of official posts).

    def feed_tokens(self, *, user_token: str) -> list[FeedTokenRead]:
        """The user's feed tokens in force, without their values."""
        return self._get(FeedTokenList, "/v1/feed-tokens", user_token).items

    def create_feed_token(self, name: str, *, user_token: str) -> FeedTokenCreated:
        """A new feed token; its value is in this answer only."""
        return self._post(
            FeedTokenCreated, "/v1/feed-tokens", user_token, FeedTokenCreate(name=name)
        )

    def revoke_feed_token(self, token_id: str, *, user_token: str) -> None:
        """Revoke one of the user's feed tokens (again: no change)."""
        self.request(
            "DELETE",
            f"/v1/feed-tokens/{token_id}",
            idempotent=True,
            token=user_token,
            expected=(204,),
        )

    def attach_media(
        self, post_id: str, *, filename: str, data: bytes, description: str = "", user_token: str
    ) -> MediaRead:
        """Attach a file to one's own post; publishing decides its type from its bytes."""
        response = self.request(
            "POST",
            f"/v1/posts/{post_id}/media",
            idempotent=False,
            token=user_token,
            expected=(201,),
            files={"file": (filename, data, "application/octet-stream")},
            data={"description": description},
        )
        return MediaRead.model_validate_json(response.content)

    def media_bytes(self, post_id: str, media_id: str, *, user_token: str) -> httpx.Response:
        """An attachment's bytes with publishing's headers (type, name, caching)."""
        return self.request(
            "GET", f"/v1/posts/{post_id}/media/{media_id}", idempotent=True, token=user_token
        )

    def detach_media(self, post_id: str, media_id: str, *, user_token: str) -> None:
        """Remove an attachment from one's own post."""
        self.request(
            "DELETE",
            f"/v1/posts/{post_id}/media/{media_id}",
            idempotent=False,
            token=user_token,
            expected=(204,),
        )
