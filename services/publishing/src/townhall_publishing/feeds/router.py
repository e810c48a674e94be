"""HTTP endpoints of the Atom feeds (authenticated by a feed token in the URL, since
news readers cannot send a bearer token) and of the caller's feed tokens."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response

from townhall_contracts.publishing.feed_tokens import (
    FeedTokenCreate,
    FeedTokenCreated,
    FeedTokenList,
    FeedTokenRead,
)
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, SettingsDep, UnitOfWorkRoute
from . import atom, service

router = APIRouter(prefix="/v1", tags=["feeds"], route_class=UnitOfWorkRoute)

Token = Annotated[
    str | None,
    Query(max_length=200, description="A feed token of the reader (see `/v1/feed-tokens`)."),
]
Language = Annotated[Literal["en", "fr"], Query(description="Language of the feed's titles.")]
IfNoneMatch = Annotated[str | None, Header(max_length=2000)]
IfModifiedSince = Annotated[str | None, Header(max_length=200)]
_ATOM = {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed"}
_FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _ATOM,
    304: {"description": "The reader's copy is current"},
}


def _atom_response(
    request: Request,
    feed: service.OfficialFeed,
    *,
    portal_url: str,
    language: str,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> Response:
    validators = atom.validators(feed, language=language)
    # Per user and always revalidated: a revocation must show at the next poll.
    headers = {**validators.headers(), "Cache-Control": "private, no-cache"}
    if validators.not_modified(if_none_match, if_modified_since):
        return Response(status_code=304, headers=headers)
    self_url = str(request.url.remove_query_params("token"))
    document = atom.render(feed, portal_url=portal_url, self_url=self_url, language=language)
    return Response(document, media_type=atom.ATOM_MEDIA_TYPE, headers=headers)


@router.get(
    "/feeds/official.atom",
    summary="Atom feed of the official posts the token's holder may read",
    response_class=Response,
    responses={**_FEED_RESPONSES, **problem_responses(401, 422, 503)},
)
def official_feed(
    request: Request,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
    token: Token = None,
    lang: Language = "en",
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> Response:
    feed = service.read_official_feed(
        session=session, gate=gate, token=token, space_id=None, limit=settings.feed_entries
    )
    return _atom_response(
        request,
        feed,
        portal_url=settings.portal_url,
        language=lang,
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )


@router.get(
    "/feeds/spaces/{space_id}/official.atom",
    summary="Atom feed of one space's official posts the token's holder may read",
    response_class=Response,
    responses={**_FEED_RESPONSES, **problem_responses(401, 404, 422, 503)},
)
def space_official_feed(
    space_id: str,
    request: Request,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
    token: Token = None,
    lang: Language = "en",
    if_none_match: IfNoneMatch = None,
    if_modified_since: IfModifiedSince = None,
) -> Response:
    feed = service.read_official_feed(
        session=session, gate=gate, token=token, space_id=space_id, limit=settings.feed_entries
    )
    return _atom_response(
        request,
        feed,
        portal_url=settings.portal_url,
        language=lang,
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )


@router.get(
    "/feed-tokens",
    summary="The caller's feed tokens in force (never their values)",
    response_model=FeedTokenList,
    responses=problem_responses(401, 403),
)
def list_feed_tokens(user: CurrentUser, session: SessionDep) -> FeedTokenList:
    tokens = service.list_tokens(session=session, owner=user.subject)
    return FeedTokenList(items=[FeedTokenRead.model_validate(token) for token in tokens])


@router.post(
    "/feed-tokens",
    summary="Create a feed token; its value is answered this once",
    status_code=201,
    response_model=FeedTokenCreated,
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def create_feed_token(
    body: FeedTokenCreate,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> FeedTokenCreated:
    token, value = service.create_token(
        session=session,
        owner=user.subject,
        name=body.name,
        max_tokens=settings.feed_tokens_per_user,
    )
    response.headers["Location"] = f"/v1/feed-tokens/{token.id}"
    feed_url = request.url_for("official_feed").include_query_params(token=value)
    return FeedTokenCreated(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        token=value,
        feed_url=str(feed_url),
    )


@router.delete(
    "/feed-tokens/{token_id}",
    summary="Revoke one of the caller's feed tokens: its feeds answer 401 from now on",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def revoke_feed_token(token_id: str, user: CurrentUser, session: SessionDep) -> Response:
    service.revoke_token(session=session, owner=user.subject, token_id=token_id)
    return Response(status_code=204)
