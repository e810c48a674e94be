"""What a consumer's handler receives, and how it refuses a message for good."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """A message as a consumer's handler receives it."""

    subject: str
    data: bytes
    headers: dict[str, str]
    # 1 on the first delivery; more after a failure or a consumer that died before its ack.
    num_delivered: int
    stream_sequence: int


class Poison(Exception):
    """Raised by a handler for a message it can never handle (unreadable, unknown
    schema): it goes to the dead-letter subject at once instead of being retried."""


class RetryLater(Exception):
    """Raised by a handler that cannot handle a message yet because something it needs
    is down (the policy service, say): the message comes again after
    `ConsumerOptions.retry_later_seconds`, for as long as it takes, and is never
    dead-lettered for it (the message is sound; waiting is the cure)."""


Handler = Callable[[Message], Awaitable[None]]
BatchHandler = Callable[[Sequence[Message]], Awaitable[None]]
