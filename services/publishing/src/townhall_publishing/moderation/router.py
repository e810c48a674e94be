"""HTTP endpoints of reports, hiding and restoring, the moderation queue and record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from ..posts.schemas import ModerationRequest, ReasonRequest, ReportCreate
from . import service
from .models import ReportStatus
from .schemas import ModerationActionList, ModerationActionRead, ReportList, ReportRead

router = APIRouter(prefix="/v1", tags=["moderation"], route_class=UnitOfWorkRoute)

_WRITE = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)


@router.get(
    "/moderation/reports",
    summary="The reports queue of the spaces the caller moderates, oldest first",
    response_model=ReportList,
    responses=problem_responses(401, 403, 422, 503),
)
def report_queue(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    status: ReportStatus = ReportStatus.OPEN,
    space_id: Annotated[str | None, Query(max_length=63)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReportList:
    reports = service.queue(
        session=session,
        gate=gate,
        subject=user.subject,
        status=status,
        space_id=space_id,
        limit=limit,
    )
    return ReportList(items=[ReportRead.model_validate(r) for r in reports])


@router.post(
    "/moderation/reports/{report_id}/dismiss",
    summary="Close a report without acting on the content, with a reason",
    response_model=ReportRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def dismiss_report(
    report_id: str, body: ReasonRequest, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> ReportRead:
    entry = service.dismiss(
        session=session, gate=gate, moderator=user.subject, report_id=report_id, reason=body.reason
    )
    return ReportRead.model_validate(entry)


@router.get(
    "/moderation/actions",
    summary="Every moderation action: who, when, why, and the decision behind it",
    response_model=ModerationActionList,
    responses=problem_responses(401, 403, 422, 503),
)
def moderation_actions(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    post_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ModerationActionList:
    entries = service.actions(
        session=session, gate=gate, subject=user.subject, post_id=post_id, limit=limit
    )
    return ModerationActionList(items=[ModerationActionRead.model_validate(a) for a in entries])


@router.post(
    "/posts/{post_id}/reports",
    summary="Report a post or one of its comments to moderators",
    status_code=201,
    response_model=ReportRead,
    responses=_WRITE,
)
def report_post(
    post_id: str, body: ReportCreate, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> ReportRead:
    entry = service.report(
        session=session,
        gate=gate,
        reporter=user.subject,
        post_id=post_id,
        reason=body.reason,
        comment_id=body.comment_id,
    )
    return ReportRead.model_validate(entry)


@router.post(
    "/posts/{post_id}/hide",
    summary="Hide a post or comment (moderators), with a reason given to its author",
    response_model=ModerationActionRead,
    responses=_WRITE,
)
def hide_post(
    post_id: str,
    body: ModerationRequest,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> ModerationActionRead:
    action = service.hide(
        session=session,
        gate=gate,
        moderator=user.subject,
        post_id=post_id,
        comment_id=body.comment_id,
        reason=body.reason,
    )
    return ModerationActionRead.model_validate(action)


@router.post(
    "/posts/{post_id}/restore",
    summary="Restore hidden content (moderators), with a reason",
    response_model=ModerationActionRead,
    responses=_WRITE,
)
def restore_post(
    post_id: str,
    body: ModerationRequest,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> ModerationActionRead:
    action = service.restore(
        session=session,
        gate=gate,
        moderator=user.subject,
        post_id=post_id,
        comment_id=body.comment_id,
        reason=body.reason,
    )
    return ModerationActionRead.model_validate(action)
