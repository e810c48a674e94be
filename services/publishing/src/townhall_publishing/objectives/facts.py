"""The catalogue's `Source`: publishing's rows, and who is meant by them from policy.

Audiences and departments come from policy's directory as it is now: objectives follow
today's groups, not the groups as they were on each past day (the directory keeps no
daily membership history that a rollup could read cheaply).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session

from townhall_contracts.policy import GroupSummary, GroupType
from townhall_contracts.readers import ORG, group_principal, space_principal

from ..policy_gate import PolicyGate
from .repository import FactsRepository, ObjectiveRepository
from .sources import Counts, KeptCounts, Notice, Question, Reply, Window

T = TypeVar("T")


class PolicyFacts:
    """One measuring pass: audiences and departments are asked of policy once each."""

    def __init__(
        self, session: Session, gate: PolicyGate, *, live_for: timedelta = timedelta(0)
    ) -> None:
        self._rows = FactsRepository(session)
        # How old the kept counts of unsettled days may be for a live read (0: recount).
        self.live_for = live_for
        self._gate = gate
        self._audiences: dict[tuple[str, ...], frozenset[str]] = {}
        self._departments: dict[str, str] | None = None
        # Per post, who acknowledged or opened it when: one read per post and pass, since a
        # dashboard measures the same notices for its value, each day and each group.
        self._acks: dict[str, dict[str, datetime]] = {}
        self._views: dict[str, dict[str, datetime]] = {}
        # The rows of a span read once per pass: the breakdown's groups share them, each
        # keeping its own people (the population is not part of the query).
        self._spans: dict[tuple[Any, ...], Any] = {}
        self._earlier: dict[datetime, set[str]] = {}
        self._groups: dict[GroupType, list[GroupSummary]] = {}
        self._counts: dict[str, dict[str, dict[date, KeptCounts]]] = {}
        self.session = session

    def _span(self, what: str, window: Window, read: Callable[[Window], T]) -> T:
        key = (what, window.start, window.end, window.space_id)
        if key not in self._spans:
            self._spans[key] = read(window)
        found: T = self._spans[key]
        return found

    def forget_counts(self, objective_id: str) -> None:
        self._counts.pop(objective_id, None)
        self._spans = {k: v for k, v in self._spans.items() if k[:2] != ("measure", objective_id)}

    def remembered(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per pass and key: a dashboard asks today's value twice (the
        objective and its series' last point)."""
        if key not in self._spans:
            self._spans[key] = compute()
        found: T = self._spans[key]
        return found

    def kept_counts(self, objective_id: str) -> dict[str, dict[date, KeptCounts]]:
        """The objective's kept daily counts per group id, read once per pass."""
        if objective_id not in self._counts:
            self._counts[objective_id] = ObjectiveRepository(self.session).counts(objective_id)
        return self._counts[objective_id]

    def people(self, principals: list[str]) -> frozenset[str]:
        """The active users holding any of `principals`, remembered for this pass."""
        key = tuple(sorted(principals))
        if key not in self._audiences:
            self._audiences[key] = frozenset(self._gate.audience(list(key), author=""))
        return self._audiences[key]

    def scope_people(self, kind: str, scope_id: str | None) -> frozenset[str]:
        if kind == "space" and scope_id is not None:
            return self.people([space_principal(scope_id)])
        if kind == "group" and scope_id is not None:
            return self.people([group_principal(scope_id)])
        return self.people([ORG])

    def notices(self, window: Window, *, acknowledged_only: bool) -> list[Notice]:
        rows = self._span(
            f"notices-{acknowledged_only}",
            window,
            lambda w: self._rows.official_posts(w, acknowledged_only=acknowledged_only),
        )
        return [
            Notice(post_id, at, self._meant_for(readers, author))
            for post_id, at, readers, author in rows
        ]

    def _meant_for(self, readers: list[str], author: str) -> frozenset[str]:
        """The readers' people but the author; one set for the notices that share both."""
        key = (*sorted(readers), "\0author", author)
        if key not in self._audiences:
            self._audiences[key] = self.people(readers) - {author}
        return self._audiences[key]

    def acknowledgements(self, post_ids: list[str]) -> dict[str, dict[str, datetime]]:
        return _remembered(self._acks, post_ids, self._rows.acknowledgements)

    def acknowledgement_counts(self, post_ids: list[str]) -> dict[str, int]:
        """How many acknowledged each post, counted by the database."""
        return self._rows.acknowledgement_counts(post_ids)

    def views(self, post_ids: list[str]) -> dict[str, dict[str, datetime]]:
        return _remembered(self._views, post_ids, self._rows.views)

    def questions(self, window: Window) -> list[Question]:
        return self._span("questions", window, self._rows.questions)

    def replies(self, post_ids: list[str]) -> list[Reply]:
        return self._rows.replies(post_ids)

    def contributors(self, window: Window) -> set[str]:
        return self._span("contributors", window, self._rows.contributors)

    def readers(self, window: Window) -> set[str]:
        return self._span("readers", window, self._rows.readers)

    def contributed_before(self, when: datetime, people: set[str]) -> set[str]:
        if when not in self._earlier:
            self._earlier[when] = self._rows.contributed_before(when, None)
        return self._earlier[when] & people

    def comment_pairs(self, window: Window) -> list[tuple[str, str]]:
        return self._span("pairs", window, self._rows.comment_pairs)

    def groups(self, group_type: GroupType) -> list[GroupSummary]:
        if group_type not in self._groups:
            self._groups[group_type] = self._gate.groups(group_type)
        return self._groups[group_type]

    def titles(self, post_ids: list[str]) -> dict[str, str]:
        return self._rows.titles(post_ids)

    def departments(self) -> dict[str, str]:
        """Each user's department group (the first by id when the directory gives several)."""
        if self._departments is None:
            found: dict[str, str] = {}
            for group in self.groups(GroupType.DEPARTMENT):
                for user in self.people([group_principal(group.id)]):
                    found.setdefault(user, group.id)
            self._departments = found
        return self._departments

    def reports(self, window: Window) -> list[tuple[datetime, datetime | None, str]]:
        return self._span("reports", window, self._rows.reports)

    def searches(self, window: Window) -> Counts:
        return self._span("searches", window, self._rows.searches)


def _remembered(
    known: dict[str, dict[str, datetime]],
    post_ids: list[str],
    read: Callable[[list[str]], dict[str, dict[str, datetime]]],
) -> dict[str, dict[str, datetime]]:
    """Per post, the rows `read` gives, reading only the posts not read before."""
    missing = [post_id for post_id in post_ids if post_id not in known]
    if missing:
        found = read(missing)
        known.update({post_id: found.get(post_id, {}) for post_id in missing})
    return {post_id: known[post_id] for post_id in post_ids}
