"""What notifies whom: `apply` on each event type, replays, and delivery-time checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_contracts.events import Event, EventType
from townhall_notifications.delivery.models import Notification
from townhall_notifications.delivery.service import apply
from townhall_platform.db import session_scope

from ..conftest import event, published
from ..policy_stub import EMPLOYEES, PolicyStub


def _apply(app: Any, *events: Event) -> list[int]:
    with session_scope(app.state.engine) as session:
        return [
            apply(session, e, reach=app.state.reach, book=app.state.book).notifications
            for e in events
        ]


def _inbox(engine: Engine) -> dict[str, list[str]]:
    """Each recipient's kinds, in order of arrival."""
    with Session(engine) as session:
        rows = session.exec(select(Notification).order_by(col(Notification.id))).all()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.recipient_id, []).append(row.kind)
    return found


def test_an_official_post_reaches_its_audience_once_even_when_replayed(
    app: Any, engine: Engine
) -> None:
    post = published(mentions=["alice"])

    assert _apply(app, post, post) == [len(EMPLOYEES), 0]

    inbox = _inbox(engine)
    # The author is told of the publication; the mentioned reader once, of the post.
    assert inbox.pop("claire") == ["post_published"]
    assert inbox == {u: ["official_post"] for u in EMPLOYEES - {"claire"}}
    assert "zoe" not in inbox  # a contractor does not read public spaces


def test_a_post_of_a_restricted_space_reaches_its_members_only(app: Any, engine: Engine) -> None:
    _apply(app, published(space_id="phoenix", author_id="alice"))

    inbox = _inbox(engine)
    assert inbox == {
        "bob": ["official_post"],
        "zoe": ["official_post"],
        "alice": ["post_published"],
    }


def test_a_post_narrowed_to_a_group_reaches_that_group(app: Any, engine: Engine) -> None:
    _apply(app, published(audience_groups=["hr"]))

    assert _inbox(engine) == {
        "chloe": ["official_post"],
        "emma": ["official_post"],
        "claire": ["post_published"],
    }


def test_a_mandatory_acknowledgement_is_due_to_the_audience(app: Any, engine: Engine) -> None:
    _apply(app, published(requires_acknowledgement=True))

    assert set(_inbox(engine)["alice"]) == {"acknowledgement_due"}


def test_a_revoked_member_gets_nothing(app: Any, engine: Engine, policy: PolicyStub) -> None:
    policy.spaces["phoenix"].members.discard("zoe")

    _apply(app, published(space_id="phoenix", author_id="alice", kind="social", mentions=["zoe"]))

    assert _inbox(engine) == {}


def test_a_social_post_notifies_only_whom_it_mentions(app: Any, engine: Engine) -> None:
    _apply(app, published(kind="social", author_id="bob", mentions=["alice", "bob", "zoe"]))

    # bob wrote it; zoe may not read the space.
    assert _inbox(engine) == {"alice": ["mention"]}


def test_approvers_are_asked_and_the_author_told_the_outcome(app: Any, engine: Engine) -> None:
    common = {"post_id": "p2", "space_id": "general", "author_id": "claire", "title": "T"}
    _apply(
        app,
        event(EventType.POST_SUBMITTED, **common),
        event(EventType.POST_APPROVED, **common, by="marc"),
        event(EventType.POST_REJECTED, **common, by="marc", reason="Too long"),
    )

    assert _inbox(engine) == {
        "marc": ["approval_requested"],
        "claire": ["post_approved", "post_rejected"],
    }


def test_an_approver_is_not_asked_to_approve_their_own_post(app: Any, engine: Engine) -> None:
    _apply(
        app,
        event(
            EventType.POST_SUBMITTED, post_id="p", space_id="general", author_id="marc", title="T"
        ),
    )

    assert _inbox(engine) == {}


def test_comments_notify_authors_mentions_and_official_answers(app: Any, engine: Engine) -> None:
    common = {"post_id": "p3", "space_id": "engineering", "post_author_id": "alice"}
    _apply(
        app,
        event(EventType.COMMENT_CREATED, comment_id="c1", author_id="bob", **common),
        event(
            EventType.COMMENT_CREATED,
            comment_id="c2",
            author_id="chloe",
            parent_author_id="bob",
            mentions=["emma"],
            **common,
        ),
        event(
            EventType.COMMENT_CREATED,
            comment_id="c3",
            author_id="marc",
            official_answer=True,
            **common,
        ),
        event(
            EventType.POST_ENDORSED,
            post_id="p3",
            space_id="engineering",
            author_id="alice",
            title="T",
            by="marc",
        ),
    )

    assert _inbox(engine) == {
        "alice": ["reply", "reply", "official_answer", "endorsement"],
        "bob": ["reply"],
        "emma": ["mention"],
    }


def test_a_report_reaches_the_moderators_of_its_space(app: Any, engine: Engine) -> None:
    report = {"report_id": "r", "post_id": "p", "reporter_id": "alice"}
    _apply(
        app,
        event(EventType.REPORT_CREATED, space_id="engineering", **report),
        event(EventType.REPORT_CREATED, space_id="phoenix", **report),
    )

    # The org moderator moderates public spaces; a restricted space has its own.
    assert _inbox(engine) == {"nadia": ["report_created"], "bob": ["report_created"]}


def test_events_nobody_is_told_about_are_recorded_and_skipped(app: Any, engine: Engine) -> None:
    deleted = event(EventType.DOCUMENT_DELETED, doc_id="d", version=2)

    assert _apply(app, deleted, deleted) == [0, 0]
    assert _inbox(engine) == {}
