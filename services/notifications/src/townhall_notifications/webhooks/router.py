"""`/v1/webhooks`: subscriptions, their deliveries and attempts, "send again"."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from townhall_clients import PublishingClient, UnexpectedResponse
from townhall_contracts.notifications import WebhookCreate, WebhookDeliveryRead, WebhookRead
from townhall_platform.app import CurrentUser
from townhall_platform.auth import bearer_token
from townhall_platform.errors import problem_responses
from townhall_platform.params import PositiveInt, ResourceId

from ..deps import ReachDep, SessionDep, SettingsDep
from . import service
from .errors import InvalidWebhook

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post(
    "",
    status_code=201,
    response_model=WebhookRead,
    summary="Subscribe a URL to events (policy admins; a space's owners for their space)",
    responses=problem_responses(401, 403, 422, 503),
)
def post_webhook(
    request: Request,
    body: WebhookCreate,
    user: CurrentUser,
    session: SessionDep,
    reach: ReachDep,
    settings: SettingsDep,
) -> WebhookRead:
    """The answer carries the signing secret, once."""
    guard = {
        "allow_loopback": settings.webhook_allow_loopback,
        "allow_private": settings.webhook_allow_private,
    }
    publishing: PublishingClient = request.app.state.publishing_client
    token = bearer_token(request.headers.get("authorization"))

    def visibility(space_id: str) -> str:
        # Asked as the caller: a space they may not see answers 404, refused as unknown.
        try:
            return str(publishing.space(space_id, user_token=token).visibility)
        except UnexpectedResponse as exc:
            if exc.status_code == 404:
                raise InvalidWebhook(f"No space {space_id} you may see.") from exc
            raise

    return service.create(
        session, reach, user.subject, body, guard=guard, space_visibility=visibility
    )


@router.get(
    "",
    response_model=list[WebhookRead],
    summary="The caller's subscriptions",
    responses=problem_responses(401, 403),
)
def get_webhooks(user: CurrentUser, session: SessionDep) -> list[WebhookRead]:
    return service.listed(session, user.subject)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Remove one of the caller's subscriptions",
    responses=problem_responses(401, 403, 404, 422),
)
def delete_webhook(webhook_id: ResourceId, user: CurrentUser, session: SessionDep) -> Response:
    session.delete(service.owned(session, user.subject, webhook_id))
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=list[WebhookDeliveryRead],
    summary="The newest deliveries of one of the caller's subscriptions, every attempt logged",
    responses=problem_responses(401, 403, 404, 422),
)
def get_deliveries(
    webhook_id: ResourceId, user: CurrentUser, session: SessionDep
) -> list[WebhookDeliveryRead]:
    return service.deliveries(session, user.subject, webhook_id)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/send-again",
    status_code=202,
    summary="Send a delivery again on the next pass (and enable its subscription)",
    responses=problem_responses(401, 403, 404, 422),
)
def post_send_again(
    webhook_id: ResourceId, delivery_id: PositiveInt, user: CurrentUser, session: SessionDep
) -> Response:
    service.send_again(session, user.subject, webhook_id, delivery_id, datetime.now(UTC))
    return Response(status_code=202)
