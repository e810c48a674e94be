"""What the webhooks API refuses."""

from __future__ import annotations

from townhall_platform.errors import TownhallError


class InvalidWebhook(TownhallError):
    status = 422
    type_slug = "invalid-webhook"
    title = "The webhook subscription is not valid"


class WebhookNotFound(TownhallError):
    status = 404
    type_slug = "webhook-not-found"
    title = "Webhook not found"
