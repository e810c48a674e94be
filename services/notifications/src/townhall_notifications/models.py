"""Every notifications table, imported together so the metadata is complete."""

from __future__ import annotations

from .database import metadata
from .delivery.models import AcknowledgementDue, AppliedEvent, Notification
from .mail.models import OutgoingMail
from .preferences.models import Preference
from .webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "AcknowledgementDue",
    "AppliedEvent",
    "Notification",
    "OutgoingMail",
    "Preference",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "metadata",
]
