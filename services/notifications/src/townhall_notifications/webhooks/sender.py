"""Delivering webhooks: signed per Standard Webhooks, retried with exponential backoff.

A delivery is sent with `webhook-id` (the delivery's own id, stable across attempts),
`webhook-timestamp` and `webhook-signature`. A 2xx answer delivers it; anything else (an
error status, a redirect, which is never followed, a timeout, a refused connection, an
address the SSRF guard refuses) is an attempt logged with why, retried after
`backoff * 2^attempts` (at most an hour) for `retry_hours`; then the delivery fails and
its subscription is disabled with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlmodel import Session, col, select
from standardwebhooks import Webhook

from ..claims import claimed
from .guard import UnsafeUrl, check_url
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

_BATCH = 100
_MAX_DELAY = timedelta(hours=1)


def send_due(
    session: Session,
    client: httpx.Client,
    *,
    now: Callable[[], datetime],
    guard: dict[str, bool],
    backoff: float,
    retry_hours: float,
) -> dict[str, int]:
    due = session.exec(
        claimed(select(WebhookDelivery))
        .where(
            col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= now()
        )
        .order_by(col(WebhookDelivery.id))
        .limit(_BATCH)
    ).all()
    outcomes = {"webhooks_delivered": 0, "webhooks_retry": 0, "webhooks_failed": 0}
    for delivery in due:
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is None or not subscription.active:
            continue
        at = now()
        status, error = _attempt(client, subscription, delivery, at, guard)
        session.add(
            WebhookAttempt(delivery_id=delivery.id or 0, at=at, status_code=status, error=error)
        )
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status, error
        if error is None:
            delivery.status = "delivered"
            outcomes["webhooks_delivered"] += 1
        elif at - delivery.created_at >= timedelta(hours=retry_hours):
            delivery.status = "failed"
            subscription.active = False
            subscription.disabled_reason = (
                f"Disabled at {at.isoformat()}: deliveries failed for {retry_hours:g} hours "
                f"(last: {error})"
            )[:500]
            session.add(subscription)
            outcomes["webhooks_failed"] += 1
        else:
            delay = timedelta(seconds=backoff * 2 ** (delivery.attempts - 1))
            delivery.next_attempt_at = at + min(delay, _MAX_DELAY)
            outcomes["webhooks_retry"] += 1
        session.add(delivery)
        session.flush()
    return outcomes


def _attempt(
    client: httpx.Client,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
    at: datetime,
    guard: dict[str, bool],
) -> tuple[int | None, str | None]:
    """(status code, error or None when delivered)."""
    try:
        check_url(subscription.url, **guard)
    except UnsafeUrl as exc:
        return None, f"refused: {exc}"
    message_id = f"delivery_{delivery.id}"
    signature = Webhook(subscription.secret).sign(message_id, at, delivery.payload)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
    try:
        response = client.post(subscription.url, content=delivery.payload, headers=headers)
    except httpx.TimeoutException:
        return None, "timed out"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    if response.is_redirect:
        return response.status_code, "redirects are not followed"
    return response.status_code, f"answered {response.status_code}"
