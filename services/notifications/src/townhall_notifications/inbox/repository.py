"""The inbox's SQL: always one recipient's rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from ..delivery.models import Notification


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(self, recipient: str, *, before: int | None, limit: int) -> list[Notification]:
        """Newest first (ids grow as items arrive), older than `before` when given."""
        query = select(Notification).where(col(Notification.recipient_id) == recipient)
        if before is not None:
            query = query.where(col(Notification.id) < before)
        return list(self._session.exec(query.order_by(col(Notification.id).desc()).limit(limit)))

    def unread_by_space(self, recipient: str) -> dict[str, int]:
        query = (
            select(Notification.space_id, func.count())
            .where(col(Notification.recipient_id) == recipient, col(Notification.read_at).is_(None))
            .group_by(col(Notification.space_id))
        )
        return {space: int(count) for space, count in self._session.exec(query)}

    def get(self, recipient: str, notification_id: int) -> Notification | None:
        row = self._session.get(Notification, notification_id)
        return row if row is not None and row.recipient_id == recipient else None

    def mark_all_read(self, recipient: str, spaces: list[str], at: datetime) -> int:
        statement = (
            update(Notification)
            .where(
                col(Notification.recipient_id) == recipient,
                col(Notification.read_at).is_(None),
                col(Notification.space_id).in_(spaces),
            )
            .values(read_at=at)
        )
        return int(self._session.execute(statement).rowcount)  # type: ignore[attr-defined]
