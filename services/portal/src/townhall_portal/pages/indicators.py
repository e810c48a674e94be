"""Posts, participation, reach and acknowledgement over time, as bar charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from townhall_contracts.publishing.indicators import IndicatorChange

from ..figures import change as points
from ..figures import hours, number, share
from ..times import day_month
from ..web import ClientsDep, CurrentViewer, Viewer, language, render

router = APIRouter(tags=["staff"])


def _periods(weeks: int, now: datetime) -> list[tuple[datetime, datetime]]:
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return [
        (end - timedelta(weeks=weeks - i), end - timedelta(weeks=weeks - i - 1))
        for i in range(weeks)
    ]


@router.get("/indicators", summary="Posts, participation, reach and acknowledgement over time")
def indicators(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space: Annotated[str, Query(max_length=63)] = "",
    weeks: Annotated[int, Query(ge=2, le=26)] = 8,
) -> Response:
    lang = language(request)
    periods = _periods(weeks, datetime.now(UTC))
    series = [_point(clients, viewer, space, since, until, lang) for since, until in periods]
    compared = clients.publishing.indicators_comparison(
        user_token=viewer.token, space_id=space or None, since=periods[0][0], until=periods[-1][1]
    )
    charts = [
        _chart("indicators.posts", series, ("social", "official"), lang),
        _chart("indicators.participation", series, ("contributors",), lang),
        _chart("indicators.reach", series, ("reach",), lang, percent=True),
        _chart("indicators.ack_rate", series, ("ack",), lang, percent=True),
    ]
    spaces = clients.publishing.spaces(user_token=viewer.token)
    return render(
        request,
        "indicators.html",
        {
            "series": series,
            "charts": charts,
            "space": space,
            "spaces": spaces,
            "weeks": weeks,
            "comparison": [_compared(c, lang) for c in compared.changes],
        },
        viewer=viewer,
    )


@router.get(
    "/indicators/comparison.csv",
    summary="The last weeks against the weeks before them, one CSV line per figure",
)
def comparison_csv(
    viewer: CurrentViewer,
    clients: ClientsDep,
    space: Annotated[str, Query(max_length=63)] = "",
    weeks: Annotated[int, Query(ge=2, le=26)] = 8,
) -> Response:
    periods = _periods(weeks, datetime.now(UTC))
    content = clients.publishing.indicators_comparison_csv(
        user_token=viewer.token, space_id=space or None, since=periods[0][0], until=periods[-1][1]
    )
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indicators-comparison.csv"'},
    )


def _shown(indicator: str, value: float | None, lang: str) -> str:
    """A figure as read: shares in percent, delays in hours, counts as they are."""
    if value is None:
        return "—"
    if indicator.endswith(("_rate", "_share")):
        return share(value, lang)
    if indicator.endswith("_seconds"):
        return hours(value, lang)
    return number(value, lang)


def _compared(change: IndicatorChange, lang: str) -> dict[str, str]:
    key = change.indicator
    delta = "—" if change.change is None else _shown(key, change.change, lang)
    if change.change is not None and key.endswith(("_rate", "_share")):
        delta = points(change.change, lang)
    elif change.change is not None and not key.endswith("_seconds"):
        delta = ("+" if change.change > 0 else "") + number(change.change, lang)
    return {
        "key": key,
        "previous": _shown(key, change.previous, lang),
        "current": _shown(key, change.current, lang),
        "change": delta,
    }


def _point(
    clients: ClientsDep, viewer: Viewer, space: str, since: datetime, until: datetime, lang: str
) -> dict[str, Any]:
    """One period's figures, for the charts."""
    answer = clients.publishing.indicators(
        user_token=viewer.token, space_id=space or None, since=since, until=until
    )
    return {
        "label": day_month(until, lang),
        "social": answer.posts_by_kind.get("social", 0),
        "official": answer.posts_by_kind.get("official", 0),
        "contributors": answer.active_contributors,
        "reach": answer.official_reach.rate,
        "ack": answer.acknowledgement.rate,
    }


def _chart(
    title_key: str,
    series: list[dict[str, Any]],
    keys: tuple[str, ...],
    lang: str,
    *,
    percent: bool = False,
) -> dict[str, Any]:
    """Bars for an SVG chart drawn by the template (no script needed)."""
    width, height, pad = 640, 200, 28
    values = [float(point[k] or 0) for point in series for k in keys]
    top = 1.0 if percent else max([*values, 1.0])
    slot = (width - pad) / max(len(series), 1)
    bar = max(slot / (len(keys) + 1), 2)
    bars = []
    for i, point in enumerate(series):
        for j, key in enumerate(keys):
            value = float(point[key] or 0)
            h = (height - pad) * value / top
            bars.append(
                {
                    "x": round(pad + i * slot + j * bar, 1),
                    "y": round(height - pad - h, 1),
                    "w": round(bar - 1, 1),
                    "h": round(h, 1),
                    "key": key,
                    "value": share(value, lang, digits=0) if percent else number(value, lang),
                }
            )
    labels = [
        {"x": round(pad + i * slot + len(keys) * bar / 2, 1), "text": p["label"]}
        for i, p in enumerate(series)
    ]
    return {
        "title_key": title_key,
        "keys": keys,
        "bars": bars,
        "labels": labels,
        "width": width,
        "height": height,
        "percent": percent,
    }
