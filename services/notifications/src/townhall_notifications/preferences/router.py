"""`/v1/preferences` (the caller's own) and the one-click unsubscribe link of mails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from townhall_contracts.notifications import Preferences, PreferencesUpdate
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_platform.params import ResourceId

from ..deps import SessionDep
from .deps import BookDep

router = APIRouter(prefix="/v1", tags=["preferences"])


@router.get(
    "/preferences",
    response_model=Preferences,
    summary="The caller's channel per kind of notification, and which cannot be off",
    responses=problem_responses(401, 403),
)
def get_preferences(user: CurrentUser, session: SessionDep, book: BookDep) -> Preferences:
    return book.read(session, user.subject)


@router.put(
    "/preferences",
    response_model=Preferences,
    summary="Change the caller's preferences (a mandatory kind cannot be `off`: 422)",
    responses=problem_responses(401, 403, 422),
)
def put_preferences(
    change: PreferencesUpdate, user: CurrentUser, session: SessionDep, book: BookDep
) -> Preferences:
    return book.update(session, user.subject, change)


@router.post(
    "/unsubscribe",
    status_code=204,
    summary="One-click unsubscribe (RFC 8058) from a kind of mail, from the mail's link",
    responses=problem_responses(403, 422),
)
def post_unsubscribe(
    session: SessionDep,
    book: BookDep,
    user: Annotated[ResourceId, Query()],
    kind: Annotated[ResourceId, Query()],
    sig: Annotated[str, Query(max_length=128)],
) -> Response:
    """No login: the signed link is the proof. The kind's items stay in the inbox."""
    book.unsubscribe(session, user, kind, sig)
    return Response(status_code=204)
