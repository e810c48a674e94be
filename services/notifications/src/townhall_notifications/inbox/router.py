"""`/v1/inbox`: the caller's notifications, newest first; read marks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from townhall_contracts.notifications import Inbox, InboxItem, ReadAll, UnreadCount
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_platform.params import PositiveInt

from ..deps import ReachDep, SessionDep
from . import service

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])


@router.get(
    "",
    response_model=Inbox,
    summary="The caller's notifications, newest first, with the unread count",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def get_inbox(
    user: CurrentUser,
    session: SessionDep,
    reach: ReachDep,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Inbox:
    return service.inbox(session, reach, user.subject, cursor=cursor, limit=limit)


@router.get(
    "/unread",
    response_model=UnreadCount,
    summary="How many of the caller's notifications are unread (the header badge)",
    responses=problem_responses(401, 403, 503),
)
def get_unread(user: CurrentUser, session: SessionDep, reach: ReachDep) -> UnreadCount:
    return service.unread(session, reach, user.subject)


@router.post(
    "/read-all",
    response_model=ReadAll,
    summary="Mark every notification of the caller read",
    responses=problem_responses(401, 403, 503),
)
def post_read_all(user: CurrentUser, session: SessionDep, reach: ReachDep) -> ReadAll:
    return ReadAll(marked=service.mark_all_read(session, reach, user.subject))


@router.post(
    "/{notification_id}/read",
    response_model=InboxItem,
    summary="Mark one of the caller's notifications read (404 for anyone else's)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def post_read(
    notification_id: PositiveInt, user: CurrentUser, session: SessionDep, reach: ReachDep
) -> InboxItem:
    return service.mark_read(session, reach, user.subject, notification_id)
