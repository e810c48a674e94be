"""New posts written in groups: one transaction for the posts waiting together, a post
whose space changed prepared again under the lock, a faulty post failing alone."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.policy import Decision, Reason
from townhall_platform.db import make_engine
from townhall_publishing.database import tune_engine, utcnow, write_session
from townhall_publishing.group_commit import GroupCommit, StaleRead, group_size_histogram
from townhall_publishing.posts.lifecycle import NewPost, prepare_new_post, write_new_posts
from townhall_publishing.posts.models import Post
from townhall_publishing.posts.repository import new_post_row
from townhall_publishing.spaces.cache import SpaceFactsCache
from townhall_publishing.spaces.errors import SpaceArchived, SpaceNotFound
from townhall_publishing.spaces.models import Space
from townhall_publishing.spaces.repository import SpaceRepository

from .conftest import Database


@pytest.fixture
def tuned(migrated_url: str) -> Iterator[Engine]:
    """The service's own engine settings (on SQLite, immediate write transactions)."""
    engine = tune_engine(make_engine(migrated_url))
    yield engine
    engine.dispose()


@pytest.fixture
def space(tuned: Engine) -> str:
    """A public community space of this test's own."""
    space_id = f"s{uuid.uuid4().hex[:10]}"
    with write_session(tuned) as session:
        session.add(
            Space(id=space_id, name="Café", kind="community", visibility="public", created_by="x")
        )
    return space_id


def _preparer(space_id: str, title: str, *, post_id: str | None = None) -> Callable[..., NewPost]:
    """What `prepare_post` does, without policy: read the space, compute the rows."""

    def prepare(session: Session) -> NewPost:
        facts = SpaceRepository(session).facts(space_id)
        if facts is None:
            raise SpaceNotFound(f"No space '{space_id}'.")
        if facts.archived_at is not None:
            raise SpaceArchived(f"The space '{space_id}' is archived.")
        now = utcnow()
        values = {
            "id": post_id or str(uuid.uuid4()),
            "space_id": space_id,
            "kind": "social",
            "title": title,
            "body": "b",
            "body_html": "<p>b</p>",
            "author_id": "alice",
            "state": "published",
            "created_at": now,
            "published_at": now,
        }
        decision = Decision(
            allowed=True,
            decision_id=f"d-{title}",
            policy_revision=1,
            reason=Reason(summary="allowed"),
            subject="alice",
            action="post.social",
            domain=f"space:{space_id}",
        )
        return prepare_new_post(
            values=values, space=facts, step="publish", actor="alice", at=now, decision=decision
        )

    return prepare


class _Recorder:
    """`write_new_posts`, noting each group's titles; the first group waits for `go`."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.go = threading.Event()
        self.started = threading.Event()

    def __call__(self, session: Session, news: Sequence[NewPost]) -> None:
        self.groups.append([new.post_row["title"] for new in news])
        if len(self.groups) == 1:
            self.started.set()
            assert self.go.wait(10)
        write_new_posts(session, news)


def _prepared(engine: Engine, prepare: Callable[[Session], NewPost]) -> NewPost:
    with Session(engine) as session:
        return prepare(session)


def _submit_while_first_waits(
    writer: GroupCommit[NewPost],
    recorder: _Recorder,
    engine: Engine,
    changes: list[Callable[[Session], NewPost] | tuple[Callable[[Session], NewPost], NewPost]],
) -> list[Future[NewPost]]:
    """Submit the first change, and the others while its group is being written (each
    a preparer, or a preparer and what it prepared earlier)."""

    def submit(
        change: Callable[[Session], NewPost] | tuple[Callable[[Session], NewPost], NewPost],
    ) -> Future[NewPost]:
        prepare, value = change if isinstance(change, tuple) else (change, None)
        return writer.submit(prepare, value or _prepared(engine, prepare))

    try:
        futures = [submit(changes[0])]
        assert recorder.started.wait(10)
        futures += [submit(change) for change in changes[1:]]
    finally:
        recorder.go.set()
    for future in futures:
        future.exception(timeout=10)
    return futures


def _titles(db: Database, space_id: str) -> list[str]:
    rows = db.rows("SELECT title FROM posts WHERE space_id = :s ORDER BY title", s=space_id)
    return [row["title"] for row in rows]


def test_posts_that_wait_together_are_written_in_one_group_and_in_order(
    tuned: Engine, space: str, db: Database
) -> None:
    recorder = _Recorder()
    registry = CollectorRegistry()
    writer = GroupCommit(tuned, recorder, name="test", group_sizes=group_size_histogram(registry))
    try:
        titles = [f"p{n:02d}" for n in range(12)]
        futures = _submit_while_first_waits(
            writer, recorder, tuned, [_preparer(space, title) for title in titles]
        )
    finally:
        writer.close()

    assert recorder.groups == [titles[:1], titles[1:]]
    # Operators see the groups: two transactions, twelve posts.
    metric = "townhall_publishing_post_write_group_size"
    assert registry.get_sample_value(f"{metric}_count") == 2
    assert registry.get_sample_value(f"{metric}_sum") == 12
    assert registry.get_sample_value(f"{metric}_bucket", {"le": "1.0"}) == 1
    written = [future.result() for future in futures]
    assert [new.post_row["title"] for new in written] == titles
    assert _titles(db, space) == titles
    ids = [new.id for new in written]
    steps = db.rows("SELECT post_id FROM post_steps WHERE step = 'publish'")
    assert {row["post_id"] for row in steps} >= set(ids)
    for new in written:
        stored = db.rows("SELECT principal FROM post_readers WHERE post_id = :p", p=new.id)
        assert sorted(row["principal"] for row in stored) == sorted(new.post_row["readers"])
    # One outbox event per post, in the order the posts were submitted.
    events = db.rows("SELECT doc_id FROM outbox ORDER BY id")
    assert [row["doc_id"] for row in events if row["doc_id"] in ids] == ids


def test_a_post_whose_space_changed_after_it_was_prepared_is_prepared_again(
    tuned: Engine, space: str, db: Database
) -> None:
    writer = GroupCommit(tuned, write_new_posts, name="test")
    prepare = _preparer(space, "late")
    try:
        as_read = _prepared(tuned, prepare)
        assert "org" in as_read.post_row["readers"]
        with write_session(tuned) as session:
            session.execute(
                text("UPDATE spaces SET visibility = 'restricted' WHERE id = :s"), {"s": space}
            )
        written = writer.submit(prepare, as_read).result(timeout=10)
    finally:
        writer.close()

    # Prepared again under the lock: readers from the restricted space, not the company.
    assert written is not as_read
    assert "org" not in written.post_row["readers"]
    stored = db.rows("SELECT principal FROM post_readers WHERE post_id = :p", p=written.id)
    assert sorted(row["principal"] for row in stored) == sorted(written.post_row["readers"])


def test_a_post_refused_when_prepared_again_fails_alone(
    tuned: Engine, space: str, db: Database
) -> None:
    other = f"{space}x"
    with write_session(tuned) as session:
        session.add(
            Space(id=other, name="Other", kind="community", visibility="public", created_by="x")
        )
    doomed = _preparer(other, "doomed")
    doomed_value = _prepared(tuned, doomed)
    with write_session(tuned) as session:  # archived after the post was prepared
        session.execute(
            text("UPDATE spaces SET archived_at = :at WHERE id = :s"),
            {"at": utcnow().replace(tzinfo=None), "s": other},
        )
    recorder = _Recorder()
    writer = GroupCommit(tuned, recorder, name="test")
    try:
        futures = _submit_while_first_waits(
            writer,
            recorder,
            tuned,
            [_preparer(space, "kept"), (doomed, doomed_value), _preparer(space, "kept too")],
        )
    finally:
        writer.close()

    assert futures[0].result().post_row["title"] == "kept"
    assert isinstance(futures[1].exception(), SpaceArchived)
    assert futures[2].result().post_row["title"] == "kept too"
    assert recorder.groups == [["kept"], ["doomed", "kept too"], ["kept too"]]
    assert _titles(db, space) == ["kept", "kept too"]
    assert _titles(db, other) == []


def test_a_faulty_post_rolls_its_group_back_and_the_others_are_written_alone(
    tuned: Engine, space: str, db: Database
) -> None:
    taken = str(uuid.uuid4())
    with write_session(tuned) as session:
        write_new_posts(session, [_preparer(space, "first", post_id=taken)(session)])
    recorder = _Recorder()
    writer = GroupCommit(tuned, recorder, name="test")
    try:
        futures = _submit_while_first_waits(
            writer,
            recorder,
            tuned,
            [
                _preparer(space, "a"),
                _preparer(space, "b"),
                _preparer(space, "clash", post_id=taken),  # its id is taken: the insert fails
                _preparer(space, "c"),
            ],
        )
    finally:
        writer.close()

    written = [f.result().post_row["title"] for f in (futures[0], futures[1], futures[3])]
    assert written == ["a", "b", "c"]
    assert futures[2].exception() is not None
    # The group of three failed as a whole, then each was written alone.
    assert recorder.groups == [["a"], ["b", "clash", "c"], ["b"], ["clash"], ["c"]]
    assert _titles(db, space) == ["a", "b", "c", "first"]
    assert db.count("outbox", "doc_id = :d", d=taken) == 1


def test_a_post_refused_in_a_group_that_then_fails_keeps_its_refusal(
    tuned: Engine, space: str, db: Database
) -> None:
    other = f"{space}x"
    with write_session(tuned) as session:
        session.add(
            Space(id=other, name="Other", kind="community", visibility="public", created_by="x")
        )
    taken = str(uuid.uuid4())
    with write_session(tuned) as session:
        write_new_posts(session, [_preparer(space, "first", post_id=taken)(session)])
    doomed = _preparer(other, "doomed")
    doomed_value = _prepared(tuned, doomed)
    with write_session(tuned) as session:
        session.execute(
            text("UPDATE spaces SET archived_at = :at WHERE id = :s"),
            {"at": utcnow().replace(tzinfo=None), "s": other},
        )
    recorder = _Recorder()
    writer = GroupCommit(tuned, recorder, name="test")
    try:
        futures = _submit_while_first_waits(
            writer,
            recorder,
            tuned,
            [
                _preparer(space, "a"),
                _preparer(space, "kept"),
                (doomed, doomed_value),
                _preparer(space, "clash", post_id=taken),
            ],
        )
    finally:
        writer.close()

    assert futures[1].result().post_row["title"] == "kept"
    assert isinstance(futures[2].exception(), SpaceArchived)
    assert futures[3].exception() is not None
    # Refused once, it is not written alone with the others afterwards.
    assert recorder.groups == [
        ["a"],
        ["kept", "doomed", "clash"],
        ["kept", "clash"],
        ["kept"],
        ["clash"],
    ]
    assert _titles(db, space) == ["a", "first", "kept"]


def test_the_space_check_names_the_stale_posts_and_writes_nothing(
    tuned: Engine, space: str, db: Database
) -> None:
    fresh = _prepared(tuned, _preparer(space, "fresh"))
    stale = _prepared(tuned, _preparer(space, "stale"))
    stale = NewPost(
        space=type(stale.space)(stale.space.id, stale.space.kind, "restricted", None),
        post_row=stale.post_row,
        step_row=stale.step_row,
        event_row=stale.event_row,
    )
    with write_session(tuned) as session, pytest.raises(StaleRead) as refused:
        write_new_posts(session, [fresh, stale])
    assert refused.value.stale == (1,)
    assert _titles(db, space) == []


def test_closing_the_writer_writes_what_is_queued_and_refuses_more(
    tuned: Engine, space: str, db: Database
) -> None:
    writer = GroupCommit(tuned, write_new_posts, name="test")
    preparers = [_preparer(space, f"q{n}") for n in range(5)]
    futures = [writer.submit(p, _prepared(tuned, p)) for p in preparers]
    writer.close()
    assert all(future.done() and future.exception() is None for future in futures)
    assert _titles(db, space) == [f"q{n}" for n in range(5)]
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(preparers[0], futures[0].result())


def test_a_post_whose_request_was_cancelled_while_it_waited_is_not_written(
    tuned: Engine, space: str, db: Database
) -> None:
    recorder = _Recorder()
    writer = GroupCommit(tuned, recorder, name="test")
    first, gone, kept = (_preparer(space, title) for title in ("first", "gone", "kept"))
    try:
        written = writer.submit(first, _prepared(tuned, first))
        assert recorder.started.wait(10)
        cancelled = writer.submit(gone, _prepared(tuned, gone))
        later = writer.submit(kept, _prepared(tuned, kept))
        assert cancelled.cancel()  # as when the client went away
        recorder.go.set()
        assert written.result(timeout=10).post_row["title"] == "first"
        assert later.result(timeout=10).post_row["title"] == "kept"
    finally:
        recorder.go.set()
        writer.close()

    assert recorder.groups == [["first"], ["kept"]]
    assert _titles(db, space) == ["first", "kept"]


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _set_visibility(engine: Engine, space_id: str, visibility: str) -> None:
    with write_session(engine) as session:
        session.execute(
            text("UPDATE spaces SET visibility = :v WHERE id = :s"),
            {"v": visibility, "s": space_id},
        )


def _visibility(remembered: SpaceFactsCache, session: Session, space_id: str) -> str:
    facts = remembered.facts(session, space_id)
    assert facts is not None
    return facts.visibility


def test_public_spaces_are_remembered_for_a_moment_and_restricted_ones_never(
    tuned: Engine, space: str
) -> None:
    clock = _Clock()
    remembered = SpaceFactsCache(ttl_seconds=2.0, clock=clock)
    with Session(tuned) as session:
        assert _visibility(remembered, session, space) == "public"
    _set_visibility(tuned, space, "restricted")
    with Session(tuned) as session:
        # Within the moment: as remembered (the writing transaction checks it again).
        assert _visibility(remembered, session, space) == "public"
        clock.now += 2.5
        assert _visibility(remembered, session, space) == "restricted"
    _set_visibility(tuned, space, "public")
    with Session(tuned) as session:
        # A restricted space was not remembered: made public, it is seen so at once.
        assert _visibility(remembered, session, space) == "public"
        assert remembered.facts(session, "no-such-space") is None


def test_a_writing_transaction_reads_the_space_and_refreshes_what_is_remembered(
    tuned: Engine, space: str
) -> None:
    remembered = SpaceFactsCache(ttl_seconds=60.0, clock=_Clock())
    with Session(tuned) as session:
        remembered.facts(session, space)
    _set_visibility(tuned, space, "restricted")
    with write_session(tuned) as session:
        assert _visibility(remembered, session, space) == "restricted"
    _set_visibility(tuned, space, "public")
    with Session(tuned) as session:
        assert _visibility(remembered, session, space) == "public"


_REQUEST = contextvars.ContextVar[str]("request", default="none")


def test_a_request_prepares_on_a_preparing_thread_in_its_own_context_and_gets_its_post(
    tuned: Engine, space: str, db: Database
) -> None:
    writer = GroupCommit(tuned, write_new_posts, name="test")
    prepare = _preparer(space, "called")
    seen: list[tuple[str, str]] = []

    def traced(session: Session) -> NewPost:
        seen.append((_REQUEST.get(), threading.current_thread().name))
        return prepare(session)

    async def request() -> NewPost:
        _REQUEST.set("req-1")  # as the request id of the logs
        return await writer(traced)

    async def refused() -> NewPost:
        return await writer(_preparer(f"{space}-none", "nowhere"))

    try:
        written = asyncio.run(request())
        with pytest.raises(SpaceNotFound):
            asyncio.run(refused())
    finally:
        writer.close()

    assert written.post_row["title"] == "called"
    assert seen == [("req-1", seen[0][1])] and seen[0][1].startswith("test-prepare")
    assert _titles(db, space) == ["called"]
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(request())


class _WriterKilled(BaseException):
    """What no `except Exception` stops (as SystemExit)."""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_that_stops_answers_every_waiting_request_and_refuses_new_ones(
    tuned: Engine, space: str, db: Database
) -> None:
    recorder = _Recorder()

    def fatal(session: Session, news: Sequence[NewPost]) -> None:
        recorder(session, news)
        raise _WriterKilled

    writer = GroupCommit(tuned, fatal, name="test")
    try:
        futures = _submit_while_first_waits(
            writer, recorder, tuned, [_preparer(space, title) for title in ("a", "b", "c")]
        )
        assert all(isinstance(future.exception(), _WriterKilled) for future in futures)
        with pytest.raises(RuntimeError, match="stopped"):
            late = _preparer(space, "d")
            writer.submit(late, _prepared(tuned, late))
    finally:
        writer.close()
    assert _titles(db, space) == []


def test_a_new_post_row_is_the_row_of_the_model_with_its_defaults() -> None:
    now = utcnow()
    values = {
        "id": "p-1",
        "space_id": "s",
        "kind": "official",
        "title": "t",
        "body": "b",
        "author_id": "claire",
        "state": "draft",
        "created_at": now,
        "updated_at": now,
    }
    row = new_post_row(values)
    model = Post(**values)
    assert row == {column.name: getattr(model, column.name) for column in Post.__table__.columns}
    assert row["readers"] == [] and row["requires_ack"] is False and row["pinned_at"] is None
    # Each row gets lists of its own.
    assert new_post_row(values)["readers"] is not row["readers"]


def test_a_new_post_row_without_a_required_column_is_refused_at_once() -> None:
    # The model has no default for them: a row without one would fail only at the insert,
    # in the writer's turn, with the group it is in.
    with pytest.raises(ValueError, match="author_id, body"):
        new_post_row({"id": "p-1", "space_id": "s", "kind": "social", "title": "t", "state": "x"})
