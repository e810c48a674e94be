"""What notifies whom: an event turned into one planned item per recipient.

One event gives a recipient at most one item (the key is the event and the recipient):
when several reasons apply (an official post that also mentions them), the first kind
planned wins, so planners add the most important reason first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from townhall_contracts.events import (
    CommentCreated,
    Event,
    EventType,
    ObjectiveReported,
    PostDecided,
    PostEndorsed,
    PostPublished,
    PostSubmitted,
    PostWithdrawn,
    ReportCreated,
)
from townhall_contracts.notifications import NotificationKind as Kind
from townhall_contracts.readers import user_principal

from ..reach import NO_SPACE, Reach

OFFICIAL = "official"


@dataclass(frozen=True, slots=True)
class Item:
    """What every recipient of one kind is told about."""

    kind: Kind
    post_id: str
    space_id: str
    title: str
    excerpt: str = ""
    actor_id: str | None = None


@dataclass
class Plan:
    """Recipients by id, each with the item they get; acknowledgements to track."""

    items: dict[str, Item] = field(default_factory=dict)
    acknowledgement: PostPublished | None = None

    def add(self, recipients: list[str], item: Item, *, skip: str | None = None) -> None:
        for recipient in recipients:
            if recipient != skip and recipient not in self.items:
                self.items[recipient] = item


def _nobody_asked(post_id: str) -> list[str]:
    return []


def plan(event: Event, reach: Reach, asked: Callable[[str], list[str]] = _nobody_asked) -> Plan:
    """The plan of `event` (nothing for the events nobody is told about). `asked` names
    who was asked to approve a post: those told when its author withdraws it."""
    data = event.parsed()
    result = Plan()
    if isinstance(data, PostPublished):
        _published(data, reach, result)
    elif isinstance(data, PostSubmitted):
        item = Item(
            Kind.APPROVAL_REQUESTED,
            data.post_id,
            data.space_id,
            data.title,
            actor_id=data.author_id,
        )
        # Four-eyes: the author is never asked to approve their own post.
        result.add(reach.approvers(data.space_id), item, skip=data.author_id)
    elif isinstance(data, PostWithdrawn):
        item = Item(
            Kind.SUBMISSION_WITHDRAWN,
            data.post_id,
            data.space_id,
            data.title,
            actor_id=data.author_id,
        )
        result.add(asked(data.post_id), item, skip=data.author_id)
    elif isinstance(data, PostDecided):
        kind = Kind.POST_APPROVED if event.type is EventType.POST_APPROVED else Kind.POST_REJECTED
        item = Item(kind, data.post_id, data.space_id, data.title, data.reason or "", data.by)
        result.add(reach.readers([data.author_id], data.space_id), item)
    elif isinstance(data, PostEndorsed):
        item = Item(Kind.ENDORSEMENT, data.post_id, data.space_id, data.title, actor_id=data.by)
        result.add(reach.readers([data.author_id], data.space_id), item, skip=data.by)
    elif isinstance(data, CommentCreated):
        _commented(data, reach, result)
    elif isinstance(data, ObjectiveReported):
        _objective(data, reach, result)
    elif isinstance(data, ReportCreated):
        item = Item(Kind.REPORT_CREATED, data.post_id, data.space_id, "", actor_id=data.reporter_id)
        result.add(reach.space_moderators(data.space_id), item, skip=data.reporter_id)
    return result


def _published(data: PostPublished, reach: Reach, result: Plan) -> None:
    post = (data.post_id, data.space_id, data.title, data.summary)
    if data.kind == OFFICIAL:
        readers = reach.post_audience(data.space_id, data.audience_groups, data.audience_spaces)
        audience = [r for r in readers if r != data.author_id]
        kind = Kind.ACKNOWLEDGEMENT_DUE if data.requires_acknowledgement else Kind.OFFICIAL_POST
        result.add(audience, Item(kind, *post, actor_id=data.author_id))
        if data.requires_acknowledgement:
            result.acknowledgement = data
        result.add(reach.readers([data.author_id], data.space_id), Item(Kind.POST_PUBLISHED, *post))
    _mentioned(data.mentions, Item(Kind.MENTION, *post, actor_id=data.author_id), reach, result)


def _commented(data: CommentCreated, reach: Reach, result: Plan) -> None:
    item = Item(Kind.REPLY, data.post_id, data.space_id, "", data.excerpt, data.author_id)
    if data.official_answer:
        answer = Item(
            Kind.OFFICIAL_ANSWER, data.post_id, data.space_id, "", data.excerpt, data.author_id
        )
        result.add(reach.readers([data.post_author_id], data.space_id), answer, skip=data.author_id)
    authors = [data.post_author_id] + ([data.parent_author_id] if data.parent_author_id else [])
    result.add(reach.readers(authors, data.space_id), item, skip=data.author_id)
    mention = Item(Kind.MENTION, data.post_id, data.space_id, "", data.excerpt, data.author_id)
    _mentioned(data.mentions, mention, reach, result)


def _mentioned(mentions: list[str], item: Item, reach: Reach, result: Plan) -> None:
    if mentions:
        result.add(reach.readers(mentions, item.space_id), item, skip=item.actor_id)


def portal_path(kind: str, subject_id: str) -> str:
    """The portal page an item is about: its objective for a report, else its post."""
    if kind == Kind.OBJECTIVE_REPORT.value:
        return f"/objectives/{subject_id}"
    if kind == Kind.SUBMISSION_WITHDRAWN.value:
        # A draft again: only its author reads it, so the approver goes to their queue.
        return "/approvals"
    return f"/posts/{subject_id}"


def _figure(unit: str, value: float | None) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "hours":
        return f"{value:.1f} h"
    return f"{value:g}"


def _objective(data: ObjectiveReported, reach: Reach, result: Plan) -> None:
    """The report goes to the objective's owner alone, while they are an active user."""
    figures = [
        f"{_figure(data.unit, data.value)} ({data.day.isoformat()})",
        f"→ {_figure(data.unit, data.target)} ({data.ends_on.isoformat()})",
        f"path {_figure(data.unit, data.expected)}",
        f"before {_figure(data.unit, data.previous_value)}",
        data.status.replace("_", " "),
    ]
    item = Item(Kind.OBJECTIVE_REPORT, data.objective_id, NO_SPACE, data.name, " · ".join(figures))
    result.add(reach.audience([user_principal(data.owner_id)]), item)
