"""Times as people read and type them: in their time zone and language, to the minute.

The zone is the browser's (a small script keeps it in a cookie and in every form that takes
a time), else the portal's default; the APIs only ever see instants.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    get_datetime_format,
    get_timezone_location,
)

TIME_ZONE_COOKIE = "townhall_tz"
TIME_ZONE_FIELD = "tz"


def zone_of(name: str | None, default: str) -> ZoneInfo:
    """The IANA zone `name`, or `default` when it is missing or not a zone."""
    for candidate in (name, default, "UTC"):
        if not candidate or len(candidate) > 64 or ".." in candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def zone_city(zone: ZoneInfo, lang: str) -> str:
    """The zone as people name it ("Paris"), for "Paris time"."""
    if zone.key == "UTC":
        return "UTC"
    return str(get_timezone_location(zone, locale=lang, return_city=True))


def when(value: datetime | str | None, lang: str, zone: ZoneInfo) -> str:
    """A date and time in the reader's zone and language, without seconds."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    elif value is None:
        return ""
    else:
        moment = value
    value = moment
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)
    pattern = str(get_datetime_format("medium", locale=lang))
    day = format_date(local, "medium", locale=lang)
    hour = format_time(local, "short", locale=lang)
    return pattern.replace("{1}", day).replace("{0}", hour)


def day_month(value: date, lang: str) -> str:
    """A day without its year, as short as the language writes it ("12/7", "07/12")."""
    return str(format_skeleton("dM", value, locale=lang))


def local_input(value: datetime | None, zone: ZoneInfo) -> str:
    """An instant as a `datetime-local` field shows it, in `zone`."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def parse_local(value: str, zone: ZoneInfo) -> datetime | None:
    """A `datetime-local` field typed in `zone` (or ISO 8601 with an offset), as an
    instant; None when empty or not a time."""
    value = value.strip()
    if not value:
        return None
    try:
        typed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return typed if typed.tzinfo else typed.replace(tzinfo=zone)
