"""What the feed answers: publishing's public contract, in libs/contracts."""

from __future__ import annotations

from townhall_contracts.publishing.feed import FeedPage as FeedPage

__all__ = ["FeedPage"]
