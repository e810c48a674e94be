"""Bounded types for what clients send: instants and integers every backend can hold.

Python, the drivers and the databases accept different ranges. `0001-01-01T00:00:00Z`
is a valid ISO 8601 instant that breaks the first `- timedelta` on it;
`9999-12-31T23:59:59-14:00` cannot be converted to UTC at all (it is in year 10000);
an integer of 2^63 or more does not fit SQLite's or PostgreSQL's 64-bit integers. Each
of these used to reach the code and answer 500. Declared with these types, a query,
path or body parameter out of range is refused as malformed input (422 problem+json
naming the parameter) before any code sees it.

- `Instant`: an ISO 8601 date-time between `MIN_INSTANT` and `MAX_INSTANT`, converted to
  UTC; one without an offset is taken as UTC.
- `AwareInstant`: the same, and the offset is required.
- `NonNegativeInt`, `PositiveInt`: 0 (or 1) up to `BIGINT_MAX`, for offsets, sequence
  numbers, versions and ids.
- `ResourceId`: an id in a path (see `RESOURCE_ID_PATTERN`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, AwareDatetime, StringConstraints

# Nothing in Townhall predates the epoch; years past 9000 leave room for arithmetic
# (a period added to an instant) without leaving what `datetime` can represent.
MIN_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)
# The largest signed 64-bit integer (PostgreSQL BIGINT, SQLite INTEGER).
BIGINT_MAX = 2**63 - 1


def to_bounded_utc(value: datetime) -> datetime:
    """`value` in UTC (naive taken as UTC), or `ValueError` when out of the bounds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not MIN_INSTANT <= utc < MAX_INSTANT:
        raise ValueError(
            f"must be an instant from {MIN_INSTANT.isoformat()} to before {MAX_INSTANT.isoformat()}"
        )
    return utc


Instant = Annotated[datetime, AfterValidator(to_bounded_utc)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(to_bounded_utc)]
NonNegativeInt = Annotated[int, Ge(0), Le(BIGINT_MAX)]
PositiveInt = Annotated[int, Ge(1), Le(BIGINT_MAX)]

# An id in a path: post, space, subject, grant and review ids, domains (`space:x`),
# and the names of actions and exports. Letters, digits and `_ . : -`, at most 128,
# starting with a letter or digit: nothing that could change a URL built from it
# (`/`, `?`, `%`, `..`) or that a database refuses (NUL).
RESOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
ResourceId = Annotated[str, StringConstraints(pattern=RESOURCE_ID_PATTERN)]
