"""Many rows written in multi-row statements through SQLAlchemy Core, not the ORM.

An ORM bulk insert (`session.execute(insert(Model), rows)`) runs each row dict through
the mapper's bookkeeping before the driver sees it; for the tens of thousands of rows of
a fan-out that cost more than the driver's own work. The rows here are already plain
dicts of column values, so they go straight to the model's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel

_ROWS = 1000  # rows per statement


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (every column given) into `model`'s table, in the session's transaction."""
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]
    for start in range(0, len(rows), _ROWS):
        session.execute(insert(table), rows[start : start + _ROWS])
