"""The publishing client's indicators and objectives: figures, series, CSV exports."""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from townhall_contracts.publishing.indicators import Indicators, IndicatorsComparison
from townhall_contracts.publishing.objectives import (
    Collected,
    MetricDefinition,
    ObjectiveClose,
    ObjectiveCreate,
    ObjectiveList,
    ObjectiveRead,
    ObjectiveSeries,
)
from townhall_contracts.publishing.searches import SearchSuccess

from .base import without_empty
from .publishing_requests import PublishingRequests

_METRICS = TypeAdapter(list[MetricDefinition])
_COLLECTED = TypeAdapter(list[Collected])


class IndicatorsClient(PublishingRequests):
    """Indicators, their comparison, search success and objectives, as a user."""

    def search_success(
        self, *, user_token: str, since: datetime | None = None, until: datetime | None = None
    ) -> SearchSuccess:
        return self._get(
            SearchSuccess, "/v1/indicators/searches", user_token, since=since, until=until
        )

    def indicators(
        self,
        *,
        user_token: str,
        space_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Indicators:
        """Posts, participation, reach and acknowledgement rates over [since, until)."""
        return self._get(
            Indicators,
            "/v1/indicators",
            user_token,
            space_id=space_id,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
        )

    def indicators_comparison(
        self, *, user_token: str, space_id: str | None, since: datetime, until: datetime
    ) -> IndicatorsComparison:
        """[since, until) against the span of the same length before it, figure by figure."""
        return self._get(
            IndicatorsComparison,
            "/v1/indicators/comparison",
            user_token,
            space_id=space_id,
            since=since.isoformat(),
            until=until.isoformat(),
        )

    def indicators_comparison_csv(
        self, *, user_token: str, space_id: str | None, since: datetime, until: datetime
    ) -> bytes:
        """The same comparison as CSV, one line per figure."""
        params = without_empty(
            {"space_id": space_id, "since": since.isoformat(), "until": until.isoformat()}
        )
        response = self.request(
            "GET",
            "/v1/indicators/comparison",
            idempotent=True,
            token=user_token,
            params={**params, "format": "csv"},
        )
        return response.content

    def objectives_csv(self, *, user_token: str) -> bytes:
        """Every objective the caller may read, one CSV line each, for BI tools."""
        response = self.request(
            "GET", "/v1/objectives", idempotent=True, token=user_token, params={"format": "csv"}
        )
        return response.content

    def metrics(self, *, user_token: str) -> list[MetricDefinition]:
        """The catalogue of metrics objectives are set on."""
        response = self.request("GET", "/v1/metrics", idempotent=True, token=user_token)
        return _METRICS.validate_json(response.content)

    def objectives(self, *, user_token: str) -> ObjectiveList:
        return self._get(ObjectiveList, "/v1/objectives", user_token)

    def objective(self, objective_id: str, *, user_token: str) -> ObjectiveRead:
        return self._get(ObjectiveRead, f"/v1/objectives/{objective_id}", user_token)

    def objective_series(
        self, objective_id: str, *, user_token: str, by: str | None = None
    ) -> ObjectiveSeries:
        """Daily values against the target path, broken down `by` a group type if given."""
        path = f"/v1/objectives/{objective_id}/series"
        return self._get(ObjectiveSeries, path, user_token, by=by)

    def objective_csv(self, objective_id: str, *, user_token: str) -> bytes:
        """An objective's daily values as CSV, for spreadsheets and BI tools."""
        path = f"/v1/objectives/{objective_id}/series"
        response = self.request(
            "GET", path, idempotent=True, token=user_token, params={"format": "csv"}
        )
        return response.content

    def collection(self, *, user_token: str) -> list[Collected]:
        """What indicators are computed from, and for how long it is kept."""
        response = self.request("GET", "/v1/metrics/collection", idempotent=True, token=user_token)
        return _COLLECTED.validate_json(response.content)

    def create_objective(self, objective: ObjectiveCreate, *, user_token: str) -> ObjectiveRead:
        return self._post(ObjectiveRead, "/v1/objectives", user_token, objective)

    def close_objective(
        self, objective_id: str, closing: ObjectiveClose, *, user_token: str
    ) -> ObjectiveRead:
        path = f"/v1/objectives/{objective_id}/close"
        return self._post(ObjectiveRead, path, user_token, closing)
