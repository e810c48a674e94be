"""`UTCDateTime`: aware UTC in, aware UTC out, a naive datetime refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.exc import StatementError

from townhall_platform.db import UTCDateTime, make_engine

TABLE = Table(
    "moments",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime()),
)


def test_an_instant_comes_back_in_utc_and_a_naive_one_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'moments.db'}")
    TABLE.metadata.create_all(engine)
    paris = timezone(timedelta(hours=1))
    with engine.begin() as connection:
        connection.execute(TABLE.insert(), [{"id": 1, "at": datetime(2026, 3, 1, 9, tzinfo=paris)}])
        stored = connection.execute(select(TABLE.c.at)).scalar_one()
        # Compared in SQL on the stored UTC value: 08:00 UTC is before 08:30 UTC.
        earlier = connection.execute(
            select(TABLE.c.id).where(TABLE.c.at < datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
        ).scalar_one_or_none()
        with pytest.raises(StatementError, match="naive datetimes are refused"):
            connection.execute(TABLE.insert(), [{"id": 2, "at": datetime(2026, 3, 1, 9)}])
    engine.dispose()

    assert stored == datetime(2026, 3, 1, 8, tzinfo=UTC) and stored.tzinfo is UTC
    assert earlier == 1
