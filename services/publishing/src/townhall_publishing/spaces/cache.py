"""The facts of public spaces, remembered for a moment by the process that prepares posts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlmodel import Session

from townhall_contracts.readers import Visibility

from ..database import WriteSession
from .repository import SpaceFacts, SpaceRepository

_MAX_SPACES = 10_000


class SpaceFactsCache:
    """What a new post needs of its space, read at most every `ttl_seconds` per space.

    Preparing a post outside its writing transaction may use facts a moment old, because
    the transaction checks them again (`posts.lifecycle.write_new_posts`) and prepares the
    post anew when they changed. Only public spaces are remembered: the facts can then be
    stale only in the permissive direction (a space since made restricted or archived),
    which that check catches; a restricted space may become public, and remembering it
    could refuse a post that would now be allowed. A writing transaction (`WriteSession`)
    always reads, and refreshes what is remembered.
    """

    def __init__(
        self, *, ttl_seconds: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, SpaceFacts]] = {}
        self._lock = threading.Lock()

    def remembers(self, session: Session, space_id: str) -> bool:
        """Whether `facts` would answer from memory (and so perhaps a moment late)."""
        entry = self._entries.get(space_id)
        return (
            not isinstance(session, WriteSession) and entry is not None and entry[0] > self._clock()
        )

    def facts(self, session: Session, space_id: str, *, fresh: bool = False) -> SpaceFacts | None:
        """The space's facts: remembered ones unless `fresh` or in a writing transaction;
        otherwise read, and remembered for next time if the space is public."""
        now = self._clock()
        if not fresh and not isinstance(session, WriteSession):
            entry = self._entries.get(space_id)
            if entry is not None and entry[0] > now:
                return entry[1]
        facts = SpaceRepository(session).facts(space_id)
        with self._lock:
            if facts is None or facts.visibility != Visibility.PUBLIC:
                self._entries.pop(space_id, None)
            else:
                if len(self._entries) >= _MAX_SPACES:
                    self._entries.clear()
                self._entries[space_id] = (now + self._ttl, facts)
        return facts
