"""All SQL of objectives: the objectives themselves, and the facts their metrics read."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Result, func, or_, union
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import CompoundSelect, Executable, Select
from sqlmodel import Session, col, select

from townhall_contracts.readers import PostState

from ..moderation.models import Report
from ..posts.models import Acknowledgement, Comment, Post, PostView, Reaction
from ..searches.repository import SearchQueryRepository
from .models import Objective, ObjectiveChange, ObjectiveCount, ObjectivePoint
from .sources import Counts, KeptCounts, Question, Reply, Window

# Keeps every `IN (...)` list well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 5000
T = TypeVar("T")
Rows = Result[*tuple[Any, ...]]
AnySelect = Select[*tuple[Any, ...]]
S = TypeVar("S", bound=AnySelect)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class ObjectiveRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, objective: Objective, change: ObjectiveChange) -> None:
        self._session.add(objective)
        self._session.flush()
        self._session.add(change)

    def get(self, objective_id: str) -> Objective | None:
        return self._session.get(Objective, objective_id)

    def all(self) -> list[Objective]:
        statement = select(Objective).order_by(col(Objective.created_at).desc())
        return list(self._session.exec(statement))

    def record(self, change: ObjectiveChange) -> None:
        self._session.add(change)

    def changes(self, objective_id: str) -> list[ObjectiveChange]:
        statement = (
            select(ObjectiveChange)
            .where(ObjectiveChange.objective_id == objective_id)
            .order_by(col(ObjectiveChange.id))
        )
        return list(self._session.exec(statement))

    def points(self, objective_id: str, first: date, last: date) -> dict[date, ObjectivePoint]:
        statement = select(ObjectivePoint).where(
            ObjectivePoint.objective_id == objective_id,
            col(ObjectivePoint.day) >= first,
            col(ObjectivePoint.day) <= last,
        )
        return {p.day: p for p in self._session.exec(statement)}

    def add_points(self, points: Sequence[ObjectivePoint]) -> None:
        self._session.add_all(points)

    def counts(self, objective_id: str) -> dict[str, dict[date, KeptCounts]]:
        """The kept daily counts of an objective, per group id then day."""
        statement = sa_select(
            col(ObjectiveCount.group_id),
            col(ObjectiveCount.day),
            col(ObjectiveCount.part),
            col(ObjectiveCount.whole),
            col(ObjectiveCount.settled),
            col(ObjectiveCount.computed_at),
        ).where(col(ObjectiveCount.objective_id) == objective_id)
        found: dict[str, dict[date, KeptCounts]] = {}
        for group_id, day, part, whole, settled, at in self._run(statement):
            found.setdefault(group_id, {})[day] = KeptCounts(Counts(part, whole), settled, at)
        return found

    def counted_days(self, objective_id: str, group_id: str) -> set[date]:
        """The days whose counts have settled and are kept."""
        statement = sa_select(col(ObjectiveCount.day)).where(
            col(ObjectiveCount.objective_id) == objective_id,
            col(ObjectiveCount.group_id) == group_id,
            col(ObjectiveCount.settled).is_(True),
        )
        return set(self._run(statement).scalars())

    def add_counts(self, counts: Sequence[ObjectiveCount]) -> None:
        """Keep the counts, replacing the row of the same day and group: a provisional
        row is recounted, then settled; two readers recounting at once both succeed."""
        if not counts:
            return
        dialect = self._session.connection().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        rows = [c.model_dump() for c in counts]
        # Seven parameters a row: a thousand rows stay under SQLite's parameter limit.
        for first in range(0, len(rows), 1000):
            statement = insert(ObjectiveCount).values(rows[first : first + 1000])
            self._run(
                statement.on_conflict_do_update(
                    index_elements=["objective_id", "day", "group_id"],
                    set_={
                        name: statement.excluded[name]
                        for name in ("part", "whole", "computed_at", "settled")
                    },
                )
            )

    def _run(self, statement: Executable) -> Rows:
        return self._session.connection().execute(statement)


class FactsRepository:
    """The rows the catalogue's formulas count, within a window (and its space, if any)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _run(self, statement: Executable) -> Rows:
        # Core statements (unions among them) on the session's connection and transaction.
        return self._session.connection().execute(statement)

    def _in_space(self, statement: S, window: Window) -> S:
        if window.space_id is None:
            return statement
        return statement.where(col(Post.space_id) == window.space_id)

    def official_posts(
        self, window: Window, *, acknowledged_only: bool
    ) -> list[tuple[str, datetime, list[str], str]]:
        """(id, published at, readers, author) of official posts published in the window."""
        statement = sa_select(
            col(Post.id), col(Post.published_at), col(Post.readers), col(Post.author_id)
        ).where(
            col(Post.kind) == "official",
            col(Post.state) == PostState.PUBLISHED.value,
            col(Post.published_at) >= window.start,
            col(Post.published_at) < window.end,
        )
        if acknowledged_only:
            statement = statement.where(col(Post.requires_ack).is_(True))
        rows = self._run(self._in_space(statement, window))
        return [(i, at, list(readers), author) for i, at, readers, author in rows if at]

    def acknowledgements(self, post_ids: Sequence[str]) -> dict[str, dict[str, datetime]]:
        found: dict[str, dict[str, datetime]] = {}
        for chunk in _chunks(post_ids):
            statement = sa_select(
                col(Acknowledgement.post_id),
                col(Acknowledgement.user_id),
                col(Acknowledgement.acknowledged_at),
            ).where(col(Acknowledgement.post_id).in_(list(chunk)))
            for post_id, user, at in self._run(statement):
                found.setdefault(post_id, {})[user] = at
        return found

    def acknowledgement_counts(self, post_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(post_ids):
            statement = (
                sa_select(col(Acknowledgement.post_id), func.count())
                .where(col(Acknowledgement.post_id).in_(list(chunk)))
                .group_by(col(Acknowledgement.post_id))
            )
            found.update({post_id: int(n) for post_id, n in self._run(statement)})
        return found

    def views(self, post_ids: Sequence[str]) -> dict[str, dict[str, datetime]]:
        found: dict[str, dict[str, datetime]] = {}
        for chunk in _chunks(post_ids):
            statement = sa_select(
                col(PostView.post_id), col(PostView.user_id), col(PostView.first_viewed_at)
            ).where(col(PostView.post_id).in_(list(chunk)))
            for post_id, user, at in self._run(statement):
                found.setdefault(post_id, {})[user] = at
        return found

    def questions(self, window: Window) -> list[Question]:
        """Social posts published in the window whose title or text ends with a question mark."""
        statement = sa_select(col(Post.id), col(Post.author_id), col(Post.published_at)).where(
            col(Post.kind) == "social",
            col(Post.state) == PostState.PUBLISHED.value,
            col(Post.published_at) >= window.start,
            col(Post.published_at) < window.end,
            or_(func.rtrim(Post.title).like("%?"), func.rtrim(Post.body).like("%?")),
        )
        rows = self._run(self._in_space(statement, window))
        return [Question(i, author, at) for i, author, at in rows if at]

    def replies(self, post_ids: Sequence[str]) -> list[Reply]:
        found: list[Reply] = []
        for chunk in _chunks(post_ids):
            statement = sa_select(
                col(Comment.post_id),
                col(Comment.author_id),
                col(Comment.created_at),
                col(Comment.official),
            ).where(col(Comment.post_id).in_(list(chunk)), col(Comment.deleted_at).is_(None))
            found += [Reply(p, a, at, bool(o)) for p, a, at, o in self._run(statement)]
        return found

    def _contributions(self, window: Window | None, before: datetime | None) -> CompoundSelect[Any]:
        """Who wrote a post, a comment or a reaction (in the window, or before `before`)."""
        parts = []
        for author, at, joined in (
            (Post.author_id, Post.created_at, None),
            (Comment.author_id, Comment.created_at, Comment.post_id),
            (Reaction.user_id, Reaction.created_at, Reaction.post_id),
        ):
            statement: AnySelect = sa_select(col(author).label("who"))
            if joined is not None:
                statement = statement.join(Post, col(Post.id) == col(joined))
            if window is not None:
                statement = self._in_space(statement, window).where(
                    col(at) >= window.start, col(at) < window.end
                )
            if before is not None:
                statement = statement.where(col(at) < before)
            parts.append(statement)
        return union(*parts)

    def contributors(self, window: Window) -> set[str]:
        return set(self._run(self._contributions(window, None)).scalars())

    def contributed_before(self, when: datetime, people: set[str] | None) -> set[str]:
        """Who contributed before `when` (among `people`, when given)."""
        earlier = set(self._run(self._contributions(None, when)).scalars())
        return earlier if people is None else earlier & people

    def readers(self, window: Window) -> set[str]:
        statement = (
            sa_select(col(PostView.user_id))
            .join(Post, col(Post.id) == col(PostView.post_id))
            .where(
                col(PostView.first_viewed_at) >= window.start,
                col(PostView.first_viewed_at) < window.end,
            )
            .distinct()
        )
        return set(self._run(self._in_space(statement, window)).scalars())

    def comment_pairs(self, window: Window) -> list[tuple[str, str]]:
        """(comment author, post author) of the comments written in the window."""
        statement = (
            sa_select(col(Comment.author_id), col(Post.author_id))
            .join(Post, col(Post.id) == col(Comment.post_id))
            .where(
                col(Comment.created_at) >= window.start,
                col(Comment.created_at) < window.end,
                col(Comment.deleted_at).is_(None),
            )
        )
        return [(a, b) for a, b in self._run(self._in_space(statement, window))]

    def titles(self, post_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(post_ids):
            statement = sa_select(col(Post.id), col(Post.title)).where(
                col(Post.id).in_(list(chunk))
            )
            found.update({post_id: title for post_id, title in self._run(statement)})
        return found

    def reports(self, window: Window) -> list[tuple[datetime, datetime | None, str]]:
        statement = sa_select(
            col(Report.created_at), col(Report.resolved_at), col(Report.reporter_id)
        ).where(col(Report.created_at) >= window.start, col(Report.created_at) < window.end)
        if window.space_id is not None:
            statement = statement.where(col(Report.space_id) == window.space_id)
        return [(a, b, c) for a, b, c in self._run(statement)]

    def searches(self, window: Window) -> Counts:
        """(searches followed by opening a result, searches) made in the window."""
        searches, opened = SearchQueryRepository(self._session).counts(window.start, window.end)
        return Counts(opened, searches)
