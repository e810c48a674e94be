"""Objectives: the list with each one's status, a form to define one, and one objective's
progress (a chart with its axes, target and path, the same figures as a table, the
breakdown by site, department or team)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_contracts.publishing.objectives import (
    MetricDefinition,
    ObjectiveClose,
    ObjectiveCreate,
    ObjectiveSeries,
    Unit,
)
from townhall_platform.params import ResourceId

from ..figures import number
from ..figures import share as percent
from ..forms import FormRefused, FormState, checked, refusals
from ..times import day_month
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, language, render_form
from .objective_comparison import week_on_week

router = APIRouter(tags=["staff"])

GroupBy = Literal["site", "department", "team"]
_FIELDS = ("name", "metric", "scope_kind", "scope_id", "target", "window", "starts_on", "ends_on")


def _objectives_page(
    request: Request, viewer: Viewer, clients: ClientsDep, form: FormState | None = None
) -> Response:
    form = form or FormState()
    listed = clients.publishing.objectives(user_token=viewer.token).objectives
    metrics = clients.publishing.metrics(user_token=viewer.token)
    collected = clients.publishing.collection(user_token=viewer.token)
    values = {
        "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=90)).isoformat(),
        "metric": "acknowledgement_rate",
        **form.values,
    }
    return render_form(
        request,
        "objectives.html",
        form,
        {
            "values": values,
            "objectives": listed,
            "metrics": metrics,
            "collected": collected,
        },
        viewer=viewer,
    )


@router.get("/objectives", summary="Objectives and their status")
def objectives(request: Request, viewer: CurrentViewer, clients: ClientsDep) -> Response:
    return _objectives_page(request, viewer, clients)


def _target(metric: MetricDefinition | None, typed: str) -> float | str:
    """A share is typed as a percentage (90 for 90 %); anything else as it is."""
    try:
        value = float(typed.replace(",", ".").replace("%", "").strip())
    except ValueError:
        return typed
    return value / 100 if metric is not None and metric.unit == Unit.SHARE else value


@router.post("/objectives", summary="Define an objective")
def create_objective(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    name: Annotated[str, Form()] = "",
    metric: Annotated[str, Form()] = "",
    scope_kind: Annotated[str, Form()] = "company",
    scope_id: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    window: Annotated[str, Form()] = "",
    starts_on: Annotated[str, Form()] = "",
    ends_on: Annotated[str, Form()] = "",
) -> Response:
    typed = dict(
        zip(
            _FIELDS,
            (name, metric, scope_kind, scope_id, target, window, starts_on, ends_on),
            strict=True,
        )
    )
    catalogue = {m.key.value: m for m in clients.publishing.metrics(user_token=viewer.token)}
    fields: dict[str, Any] = {
        "name": name,
        "metric": metric,
        "scope": {"kind": scope_kind, "id": scope_id.strip() or None},
        "target": _target(catalogue.get(metric), target),
        "window": window.strip() or None,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    try:
        _check_share(catalogue.get(metric), fields["target"])
        body = checked(ObjectiveCreate, fields, named={"scope": "scope_id"})
        with refusals():
            created = clients.publishing.create_objective(body, user_token=viewer.token)
    except FormRefused as refused:
        return _objectives_page(request, viewer, clients, refused.state(typed, shown=_FIELDS))
    return RedirectResponse(f"/objectives/{created.id}", status_code=303)


def _check_share(metric: MetricDefinition | None, target: float | str) -> None:
    """A rate typed as a percentage must lie between 0 and 100: said next to the field."""
    share = metric is not None and metric.unit == Unit.SHARE
    if share and isinstance(target, float) and not 0 <= target <= 1:
        raise FormRefused(errors={"target": "objectives.target_share"})


def _chart(series: ObjectiveSeries, lang: str) -> dict[str, Any]:
    """A line chart drawn by the template: values, the path and the target, with axes."""
    width, height, left, bottom, top_pad = 640, 240, 48, 32, 12
    share = series.unit == Unit.SHARE
    numbers = [p.value for p in series.points if p.value is not None]
    numbers += [p.expected for p in series.points if p.expected is not None]
    top = 1.0 if share else max([*numbers, series.target, 1.0]) * 1.1
    days = max(len(series.points) - 1, 1)

    def x(i: int) -> float:
        return round(left + (width - left - 8) * i / days, 1)

    def y(v: float) -> float:
        return round(height - bottom - (height - bottom - top_pad) * v / top, 1)

    def line(values: list[float | None]) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values) if v is not None)

    ticks = [top * k / 4 for k in range(5)]
    step = max(len(series.points) // 6, 1)
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": height - bottom,
        "values": line([p.value for p in series.points]),
        "path": line([p.expected for p in series.points]),
        "target_y": y(series.target),
        "y_ticks": [{"y": y(v), "label": _shown(v, share, lang)} for v in ticks],
        "x_ticks": [
            {"x": x(i), "label": day_month(p.day, lang)}
            for i, p in enumerate(series.points)
            if i % step == 0
        ],
        "share": share,
    }


def _shown(value: float | None, share: bool, lang: str) -> str:
    if value is None:
        return "—"
    return percent(value, lang) if share else number(value, lang)


@router.get("/objectives/export.csv", summary="Every objective with its value, target and status")
def export_objectives(viewer: CurrentViewer, clients: ClientsDep) -> Response:
    content = clients.publishing.objectives_csv(user_token=viewer.token)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="objectives.csv"'},
    )


@router.get("/objectives/{objective_id}", summary="One objective's progress")
def objective(
    request: Request,
    objective_id: ResourceId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    by: Annotated[GroupBy, Query()] = "site",
) -> Response:
    return _objective_page(request, viewer, clients, objective_id, by)


def _objective_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    objective_id: str,
    by: str,
    form: FormState | None = None,
) -> Response:
    form = form or FormState()
    found = clients.publishing.objective(objective_id, user_token=viewer.token)
    series = clients.publishing.objective_series(objective_id, user_token=viewer.token, by=by)
    share = series.unit == Unit.SHARE
    lang = language(request)
    return render_form(
        request,
        "objective.html",
        form,
        {
            "o": found,
            "series": series,
            "chart": _chart(series, lang),
            "comparison": week_on_week(series.points),
            "by": by,
            "fmt": lambda v: _shown(v, share, lang),
            "fmt_change": lambda v: f"{v * 100:+.1f} pt" if share else f"{v:+.1f}",
            "now": datetime.now(UTC),
        },
        viewer=viewer,
    )


@router.post("/objectives/{objective_id}/close", summary="Close an objective with its outcome")
def close_objective(
    request: Request,
    objective_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    outcome: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        closing = checked(ObjectiveClose, {"outcome": outcome, "reason": reason})
        with refusals():
            clients.publishing.close_objective(objective_id, closing, user_token=viewer.token)
    except FormRefused as refused:
        state = refused.state({"outcome": outcome, "reason": reason}, shown=("outcome", "reason"))
        return _objective_page(request, viewer, clients, objective_id, "site", state)
    return RedirectResponse(f"/objectives/{objective_id}", status_code=303)


@router.get("/objectives/{objective_id}/export.csv", summary="An objective's daily values as CSV")
def export_objective(
    objective_id: ResourceId, viewer: CurrentViewer, clients: ClientsDep
) -> Response:
    content = clients.publishing.objective_csv(objective_id, user_token=viewer.token)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="objective-{objective_id}.csv"'},
    )
