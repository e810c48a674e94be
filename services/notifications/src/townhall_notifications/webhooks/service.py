"""Subscriptions: who may make them, what they may ask for, and the deliveries they get.

Policy admins subscribe company-wide (`grants.manage` in org); a space's owners (and
policy admins) for their space (`manage.space` in it). Only events the owner may read
are delivered, checked when each event arrives.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from townhall_contracts.events import Event, PostPublished
from townhall_contracts.notifications import (
    WEBHOOK_EVENTS,
    WebhookAttemptRead,
    WebhookCreate,
    WebhookDeliveryRead,
    WebhookRead,
)
from townhall_contracts.policy import Action
from townhall_platform.errors import PermissionDenied

from ..reach import Reach
from .cards import announceable, announcement
from .errors import InvalidWebhook, WebhookNotFound
from .guard import UnsafeUrl, check_url
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

_MIN_SECRET_BYTES = 24


def _secret(given: str | None) -> str:
    if given is None:
        return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    try:
        raw = base64.b64decode(given.removeprefix("whsec_"), validate=True)
    except ValueError:
        raise InvalidWebhook("The secret must be `whsec_` and base64.") from None
    if len(raw) < _MIN_SECRET_BYTES:
        raise InvalidWebhook(f"The secret is too short: at least {_MIN_SECRET_BYTES} bytes.")
    return given if given.startswith("whsec_") else "whsec_" + given


def read_of(row: WebhookSubscription, *, secret: str | None = None) -> WebhookRead:
    return WebhookRead(
        id=row.id,
        owner_id=row.owner_id,
        url=row.url,
        events=list(row.events),
        space_id=row.space_id,
        active=row.active,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        format=row.format,
        secret=secret,
    )


def create(
    session: Session,
    reach: Reach,
    owner: str,
    body: WebhookCreate,
    *,
    guard: dict[str, bool],
    space_visibility: Callable[[str], str],
) -> WebhookRead:
    unknown = sorted(set(body.events) - WEBHOOK_EVENTS)
    if unknown:
        raise InvalidWebhook(
            f"Unknown event types: {', '.join(unknown)}.", known=sorted(WEBHOOK_EVENTS)
        )
    try:
        check_url(body.url, **guard)
    except UnsafeUrl as exc:
        raise InvalidWebhook(str(exc)) from exc
    candidates = [(Action.GRANTS_MANAGE, "org")]
    if body.space_id is not None:
        candidates.append((Action.MANAGE_SPACE, f"space:{body.space_id}"))
    if not reach.allows_any(owner, candidates):
        raise PermissionDenied(
            "Webhooks are registered by policy admins, or by a space's owners for their space."
        )
    if body.format != "standard":
        _check_channel(body, space_visibility)
    row = WebhookSubscription(
        id=str(uuid.uuid4()),
        format=body.format,
        owner_id=owner,
        url=body.url,
        events=sorted(set(body.events)),
        space_id=body.space_id,
        secret=_secret(body.secret),
    )
    session.add(row)
    session.flush()
    return read_of(row, secret=row.secret)


def _check_channel(body: WebhookCreate, space_visibility: Callable[[str], str]) -> None:
    """A chat channel announces one space's official posts, and never a restricted one's:
    its audience is wider than the space's."""
    if body.space_id is None or body.events != ["post.published"]:
        raise InvalidWebhook(
            "A Teams or Slack channel announces one space's official posts: give `space_id` "
            'and events ["post.published"].'
        )
    if space_visibility(body.space_id) != "public":
        raise InvalidWebhook(
            f"Space {body.space_id} is restricted: its posts may not be announced in a "
            "channel whose audience is wider than the space's."
        )


def owned(session: Session, owner: str, subscription_id: str) -> WebhookSubscription:
    row = session.get(WebhookSubscription, subscription_id)
    if row is None or row.owner_id != owner:
        raise WebhookNotFound(f"No webhook {subscription_id} of yours.")
    return row


def listed(session: Session, owner: str) -> list[WebhookRead]:
    rows = session.exec(
        select(WebhookSubscription)
        .where(col(WebhookSubscription.owner_id) == owner)
        .order_by(col(WebhookSubscription.created_at))
    )
    return [read_of(r) for r in rows]


def deliveries(session: Session, owner: str, subscription_id: str) -> list[WebhookDeliveryRead]:
    owned(session, owner, subscription_id)
    rows = session.exec(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.subscription_id) == subscription_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(100)
    ).all()
    ids = [r.id for r in rows]
    attempts: dict[int, list[WebhookAttemptRead]] = {}
    for a in session.exec(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(ids))
        .order_by(col(WebhookAttempt.id))
    ):
        attempts.setdefault(a.delivery_id, []).append(
            WebhookAttemptRead(at=a.at, status_code=a.status_code, error=a.error)
        )
    return [
        WebhookDeliveryRead(
            id=r.id or 0,
            event_id=r.event_id,
            event_type=r.event_type,
            status=r.status,
            attempts=attempts.get(r.id or 0, []),
            next_attempt_at=r.next_attempt_at if r.status == "pending" else None,
        )
        for r in rows
    ]


def send_again(
    session: Session, owner: str, subscription_id: str, delivery_id: int, now: datetime
) -> None:
    """ "Send again": the delivery goes on the next pass; a disabled subscription is enabled."""
    subscription = owned(session, owner, subscription_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise WebhookNotFound(f"No delivery {delivery_id} of this webhook.")
    delivery.status, delivery.next_attempt_at, delivery.created_at = "pending", now, now
    subscription.active, subscription.disabled_reason = True, None
    session.add_all([delivery, subscription])


def enqueue(session: Session, reach: Reach, event: Event, now: datetime, *, portal_url: str) -> int:
    """A delivery per active subscription that wants `event` and whose owner may read it."""
    if event.type.value not in WEBHOOK_EVENTS:
        return 0
    space = str(event.data.get("space_id", "")) or None
    rows = session.exec(
        select(WebhookSubscription).where(col(WebhookSubscription.active).is_(True))
    ).all()
    payload = _payload(event)
    queued = 0
    for row in rows:
        if event.type.value not in row.events or (row.space_id and row.space_id != space):
            continue
        if space is None or not reach.readers([row.owner_id], space, _narrowing(event)):
            continue
        body = payload
        if row.format != "standard":
            post = event.parsed()
            if not isinstance(post, PostPublished) or not announceable(post):
                continue
            body = announcement(row.format, post, portal_url)
        session.add(
            WebhookDelivery(
                subscription_id=row.id,
                event_id=event.id,
                event_type=event.type.value,
                payload=body,
                created_at=now,
                next_attempt_at=now,
            )
        )
        queued += 1
    return queued


def _narrowing(event: Event) -> frozenset[str]:
    """The principals an official post was narrowed to (none: the space's readers)."""
    data = event.data
    groups = [f"group:{g}" for g in data.get("audience_groups") or []]
    spaces = [f"space:{s}" for s in data.get("audience_spaces") or []]
    return frozenset(groups + spaces)


def _payload(event: Event) -> str:
    body: dict[str, Any] = {
        "type": event.type.value,
        "timestamp": event.occurred_at.isoformat(),
        "data": event.data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)
