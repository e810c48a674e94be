"""Feed tokens: what publishing's `/v1/feed-tokens` API accepts and answers.

A feed token lets a news reader or an intranet portal poll a user's Atom feeds of
official posts without the user's bearer token; the feeds hold only what that user may
read at the moment of each poll.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FeedTokenName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]


class FeedTokenCreate(BaseModel):
    """A new feed token, named for the reader it is given to."""

    model_config = ConfigDict(extra="forbid")

    name: FeedTokenName = Field(description="Where the token is used, e.g. 'My news reader'.")


class FeedTokenRead(BaseModel):
    """A feed token as listed: never its value, which only its creation answers."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it.")
    created_at: datetime


class FeedTokenCreated(FeedTokenRead):
    """A token just created: its value, shown this once (only its hash is kept)."""

    token: str
    feed_url: str = Field(description="The feed of every official post, with the token.")


class FeedTokenList(BaseModel):
    items: list[FeedTokenRead]
