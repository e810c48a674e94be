"""Names instead of ids: people and groups from policy's directory, spaces from publishing.

A page's context is walked for the ids it shows (authors, actors, audiences, spaces); the
people and groups among them are asked of policy in one call, and remembered briefly for
every user (a display name is what the company directory shows everyone). Spaces are named
from the viewer's own list of spaces, so a space the viewer may not see keeps its id.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import structlog
from pydantic import BaseModel

from townhall_clients import PublishingClient, ServiceUnavailable, UnexpectedResponse
from townhall_clients.policy_audit import PolicyAuditClient
from townhall_contracts.policy import NamedSubject, Names

log = structlog.get_logger("townhall.portal.people")

# Fields whose value is the id of a person (or of a list of people and groups).
PERSON_FIELDS = frozenset(
    {
        "author_id",
        "actor_id",
        "moderator_id",
        "reporter_id",
        "approved_by",
        "rejected_by",
        "retracted_by",
        "revoked_by",
        "opened_by",
        "endorsed_by",
        "pinned_by",
        "by",
        "granted_by",
        "subject",
        "actor",
    }
)
PEOPLE_LIST_FIELDS = frozenset({"audience_groups", "pending_subjects", "people_ids"})
SPACE_FIELDS = frozenset({"space_id"})
# Policy answers at most this many ids at once; a page showing more names the rest by id.
MAX_ASKED = 200
MAX_REMEMBERED = 10_000
_MAX_DEPTH = 6


@dataclasses.dataclass
class Found:
    """The ids a page shows, by what they name."""

    people: set[str] = dataclasses.field(default_factory=set)
    spaces: set[str] = dataclasses.field(default_factory=set)


def _children(value: Any) -> Iterable[tuple[str | None, Any]]:
    if isinstance(value, BaseModel):
        return ((name, getattr(value, name, None)) for name in type(value).model_fields)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, Mapping):
        return ((str(k), v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ((None, v) for v in value)
    return ()


def collect(context: Mapping[str, Any]) -> Found:
    """The ids of people, groups and spaces anywhere in a page's context."""
    found = Found()

    def walk(name: str | None, value: Any, depth: int) -> None:
        if isinstance(value, str):
            if name in PEOPLE_LIST_FIELDS:
                # As typed in a form: ids separated by commas.
                found.people.update(v.strip() for v in value.split(",") if v.strip())
            elif name in PERSON_FIELDS:
                found.people.add(value)
            elif name in SPACE_FIELDS:
                found.spaces.add(value)
            return
        if depth > _MAX_DEPTH:
            return
        if name in PEOPLE_LIST_FIELDS and isinstance(value, list | tuple | set):
            found.people.update(v for v in value if isinstance(v, str))
            return
        for child_name, child in _children(value):
            walk(child_name, child, depth + 1)

    for key, value in context.items():
        if key not in ("request", "t", "settings"):
            walk(key, value, 0)
    return found


class Directory:
    """Display names of people and groups, remembered `ttl_seconds` for everyone."""

    def __init__(
        self,
        *,
        policy: PolicyAuditClient,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, NamedSubject | None]] = {}

    def lookup(
        self, ids: Iterable[str], *, token: str, fresh: bool = False
    ) -> dict[str, NamedSubject]:
        """The active subjects among `ids`; `fresh` asks policy whatever is remembered
        (and lets its failure through). Otherwise, when policy cannot answer, what is
        remembered (the rest keeps its id)."""
        wanted = sorted({i for i in ids if i})[:MAX_ASKED]
        now = self._clock()
        named: dict[str, NamedSubject] = {}
        missing = []
        with self._lock:
            for subject_id in wanted:
                remembered = self._known.get(subject_id)
                if remembered and not fresh and now - remembered[0] < self._ttl:
                    if remembered[1] is not None:
                        named[subject_id] = remembered[1]
                else:
                    missing.append(subject_id)
        if missing:
            named.update(self._ask(missing, token=token, now=now, strict=fresh))
        return named

    def groups(self, *, token: str) -> list[NamedSubject]:
        """Every active group with its reach, by name; empty when policy cannot answer
        (the audience is then typed by id, and still checked at draft)."""
        try:
            raw = self._policy.get("/v1/directory/groups", user_token=token)
            answer = Names.model_validate(raw)
        except (ServiceUnavailable, UnexpectedResponse) as exc:
            log.warning("groups_unknown", error=str(exc))
            return []
        now = self._clock()
        with self._lock:
            for group in answer.subjects:
                self._known[group.id] = (now, group)
        return sorted(answer.subjects, key=lambda group: group.display_name.casefold())

    def _ask(
        self, ids: list[str], *, token: str, now: float, strict: bool
    ) -> dict[str, NamedSubject]:
        try:
            body = {"ids": ids}
            raw = self._policy.post_json("/v1/directory/names", user_token=token, body=body)
            answer = Names.model_validate(raw)
        except (ServiceUnavailable, UnexpectedResponse) as exc:
            if strict:
                raise
            log.warning("names_unknown", error=str(exc))
            return {}
        found = {s.id: s for s in answer.subjects}
        with self._lock:
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
            for subject_id in ids:
                self._known[subject_id] = (now, found.get(subject_id))
        return found


@dataclasses.dataclass
class PageNames:
    """What a page's templates call to show a name: `who(id)`, `space_name(id)`."""

    people: dict[str, NamedSubject] = dataclasses.field(default_factory=dict)
    spaces: dict[str, str] = dataclasses.field(default_factory=dict)

    def who(self, subject_id: str | None) -> str:
        if not subject_id:
            return ""
        subject = self.people.get(subject_id)
        return subject.display_name if subject else subject_id

    def who_with_id(self, subject_id: str | None) -> str:
        """The name with the id beside it, for compliance officers who need both."""
        name = self.who(subject_id)
        return f"{name} ({subject_id})" if subject_id and name != subject_id else name

    def space_name(self, space_id: str | None) -> str:
        if not space_id:
            return ""
        return self.spaces.get(space_id, space_id)

    def reach(self, group_id: str) -> int | None:
        subject = self.people.get(group_id)
        return subject.members if subject else None


def page_names(
    context: Mapping[str, Any],
    *,
    directory: Directory,
    publishing: PublishingClient,
    token: str,
) -> PageNames:
    """The names of everything `context` shows, in one call to each API at most."""
    found = collect(context)
    names = PageNames()
    if found.people:
        names.people = directory.lookup(found.people, token=token)
    if found.spaces:
        try:
            names.spaces = {s.id: s.name for s in publishing.spaces(user_token=token)}
        except (ServiceUnavailable, UnexpectedResponse) as exc:
            log.warning("space_names_unknown", error=str(exc))
    return names


def unknown_groups(directory: Directory, groups: Iterable[str], *, token: str) -> list[str]:
    """The groups among `groups` that the directory does not know (or no longer has):
    an audience naming one would reach nobody through it. Always asked afresh."""
    wanted = [g for g in dict.fromkeys(groups) if g]
    if not wanted:
        return []
    found = directory.lookup(wanted, token=token, fresh=True)
    return [g for g in wanted if g not in found or found[g].kind != "group"]
