"""The notifications service: inboxes, preferences, e-mail and webhooks from publishing's events."""
