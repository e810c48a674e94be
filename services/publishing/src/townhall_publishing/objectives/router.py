"""HTTP endpoints of objectives and of the metric catalogue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from townhall_contracts.policy import GroupType
from townhall_contracts.publishing.objectives import (
    Collected,
    MetricDefinition,
    ObjectiveClose,
    ObjectiveCreate,
    ObjectiveExportRow,
    ObjectiveList,
    ObjectivePatch,
    ObjectiveRead,
    ObjectiveSeries,
    SeriesPoint,
)
from townhall_platform.app import CurrentUser
from townhall_platform.csv_export import csv_response
from townhall_platform.errors import problem_responses

from ..database import utcnow
from ..deps import PolicyGateDep, SessionDep, SettingsDep
from . import service
from .collection import collected
from .presenters import export_row

router = APIRouter(tags=["objectives"])


@router.get(
    "/v1/metrics",
    summary="The catalogue of metrics: formula, unit, what each counts, its privacy floor",
    response_model=list[MetricDefinition],
    responses=problem_responses(401),
)
def get_metrics(user: CurrentUser) -> list[MetricDefinition]:
    return service.metrics()


@router.get(
    "/v1/metrics/collection",
    summary="What indicators are computed from, why, for how long, and whether shown per person",
    response_model=list[Collected],
    responses=problem_responses(401),
)
def get_collection(user: CurrentUser, settings: SettingsDep) -> list[Collected]:
    return collected(search_retention_days=settings.search_queries_retention_days)


@router.get(
    "/v1/objectives",
    summary="The objectives the caller owns or may read, newest first, each with its value, "
    "target and status (JSON, or one CSV line each for BI tools)",
    response_model=ObjectiveList,
    responses={**problem_responses(401, 422, 503), 200: {"content": {"text/csv": {}}}},
)
def list_objectives(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
    export: Annotated[
        Literal["json", "csv"], Query(alias="format", description="csv: one line per objective")
    ] = "json",
) -> ObjectiveList | Response:
    answer = service.list_for(
        session=session,
        gate=gate,
        actor=user.subject,
        now=utcnow(),
        floor=settings.objectives_privacy_floor,
        live_for=timedelta(seconds=settings.objectives_live_seconds),
    )
    if export == "csv":
        rows = [export_row(objective) for objective in answer.objectives]
        return csv_response(rows, schema=ObjectiveExportRow, name="objectives")
    return answer


@router.post(
    "/v1/objectives",
    summary="Define an objective (its baseline is measured now)",
    response_model=ObjectiveRead,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422, 503),
)
def create_objective(
    body: ObjectiveCreate,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
) -> ObjectiveRead:
    return service.create(
        session=session,
        gate=gate,
        actor=user.subject,
        request=body,
        now=utcnow(),
        floor=settings.objectives_privacy_floor,
    )


@router.get(
    "/v1/objectives/{objective_id}",
    summary="One objective with today's value, its status and its history",
    response_model=ObjectiveRead,
    responses=problem_responses(401, 403, 404, 503),
)
def get_objective(
    objective_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
) -> ObjectiveRead:
    return service.get(
        session=session,
        gate=gate,
        actor=user.subject,
        objective_id=objective_id,
        now=utcnow(),
        floor=settings.objectives_privacy_floor,
        live_for=timedelta(seconds=settings.objectives_live_seconds),
    )


@router.patch(
    "/v1/objectives/{objective_id}",
    summary="Change an objective's name, owner, target, end or cadence (kept in its history)",
    response_model=ObjectiveRead,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def patch_objective(
    objective_id: str,
    body: ObjectivePatch,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
) -> ObjectiveRead:
    return service.update(
        session=session,
        gate=gate,
        actor=user.subject,
        objective_id=objective_id,
        patch=body,
        now=utcnow(),
        floor=settings.objectives_privacy_floor,
    )


@router.post(
    "/v1/objectives/{objective_id}/close",
    summary="Close an objective with its outcome",
    response_model=ObjectiveRead,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def close_objective(
    objective_id: str,
    body: ObjectiveClose,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
) -> ObjectiveRead:
    return service.close(
        session=session,
        gate=gate,
        actor=user.subject,
        objective_id=objective_id,
        request=body,
        now=utcnow(),
        floor=settings.objectives_privacy_floor,
    )


@router.get(
    "/v1/objectives/{objective_id}/series",
    summary="Daily values against the target path, a breakdown by directory group, and what "
    "to act on (JSON, or the daily values as CSV)",
    response_model=ObjectiveSeries,
    responses={**problem_responses(401, 403, 404, 422, 503), 200: {"content": {"text/csv": {}}}},
)
def objective_series(
    objective_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
    first: Annotated[date | None, Query(alias="from", description="First day")] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day (included)")] = None,
    by: Annotated[GroupType | None, Query(description="Break down by this group type")] = None,
    export: Annotated[
        Literal["json", "csv"], Query(alias="format", description="csv: the daily values")
    ] = "json",
) -> ObjectiveSeries | Response:
    answer = service.series(
        session=session,
        gate=gate,
        actor=user.subject,
        objective_id=objective_id,
        first=first,
        last=last,
        by=by,
        now=utcnow(),
        floor=settings.objectives_privacy_floor,
        live_for=timedelta(seconds=settings.objectives_live_seconds),
    )
    if export == "csv":
        return csv_response(answer.points, schema=SeriesPoint, name=f"objective-{objective_id}")
    return answer
