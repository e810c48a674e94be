"""All SQL of the people search."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from townhall_policy.holdings.directory.models import Subject, SubjectKind


def _escaped(text: str) -> str:
    """`text` taken literally by LIKE (its wildcards and the escape character escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def active_people_by_prefix(session: Session, *, prefix: str, limit: int) -> list[tuple[str, str]]:
    """Active users whose id, or a word of whose display name, starts with `prefix`
    (case-insensitive), by display name."""
    start = _escaped(prefix.lower()) + "%"
    name = func.lower(col(Subject.display_name))
    statement = (
        select(col(Subject.id), col(Subject.display_name))
        .where(
            col(Subject.kind) == SubjectKind.USER.value,
            col(Subject.active).is_(True),
            or_(
                func.lower(col(Subject.id)).like(start, escape="\\"),
                name.like(start, escape="\\"),
                name.like("% " + start, escape="\\"),
            ),
        )
        .order_by(name, col(Subject.id))
        .limit(limit)
    )
    return [(str(row[0]), str(row[1])) for row in session.execute(statement)]
