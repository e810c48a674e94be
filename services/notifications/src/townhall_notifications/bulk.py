"""Many rows written at once, under the ORM: PostgreSQL's COPY, or multi-row Core inserts.

An ORM bulk insert (`session.execute(insert(Model), rows)`) runs each row dict through
the mapper's bookkeeping before the driver sees it; for the tens of thousands of rows of
a fan-out that cost more than the driver's own work. The rows here are already plain
dicts of column values (every row the same keys), so they go straight to the table: by
COPY on PostgreSQL, where psycopg would otherwise run one INSERT per row, and by the
driver's executemany on SQLite. Either way in the session's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from psycopg import Connection, sql
from psycopg.types.json import Json
from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel

_ROWS = 1000  # rows per statement (SQLite)


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` into `model`'s table, in the session's transaction."""
    if not rows:
        return
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, rows)
        return
    for start in range(0, len(rows), _ROWS):
        session.execute(insert(table), rows[start : start + _ROWS])


def _copy(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    connection = cast(Connection[Any], session.connection().connection.driver_connection)
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_value(row[c]) for c in columns])


def _value(value: Any) -> Any:
    # JSON columns (a preference's channels) hold dicts: psycopg needs them marked.
    return Json(value) if isinstance(value, dict | list) else value
