"""A period's indicators against the period of the same length just before it."""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlmodel import Session

from townhall_contracts.publishing.indicators import (
    IndicatorChange,
    Indicators,
    IndicatorsComparison,
)

from ..policy_gate import PolicyGate
from . import service


def _figures(answer: Indicators) -> dict[str, float | None]:
    """The indicators as one flat list of figures, in the order a reader meets them."""
    reach, ack = answer.official_reach, answer.acknowledgement
    return {
        "social_posts": answer.posts_by_kind.get("social", 0),
        "official_posts": answer.posts_by_kind.get("official", 0),
        "social_comments": answer.comments_by_kind.get("social", 0),
        "official_answers": answer.comments_by_kind.get("official", 0),
        "active_contributors": answer.active_contributors,
        "official_reach_rate": reach.rate,
        "official_readers": reach.readers,
        "official_audience": reach.audience,
        "acknowledgement_rate": ack.rate,
        "acknowledgement_median_seconds": ack.median_seconds_to_acknowledge,
        "social_posts_with_reply": answer.social_posts_with_reply,
        "social_reply_share": answer.social_reply_share,
    }


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 4)


def compare(
    *,
    session: Session,
    gate: PolicyGate,
    subject: str,
    space_id: str | None,
    since: datetime,
    until: datetime,
    pending_views: Set[tuple[str, str]] = frozenset(),
) -> IndicatorsComparison:
    """The period and the one before it, under the same policy check as the indicators."""
    before = since - (until - since)
    current = service.compute(
        session=session, gate=gate, subject=subject, space_id=space_id, since=since,
        until=until, pending_views=pending_views,
    )  # fmt: skip
    previous = service.compute(
        session=session, gate=gate, subject=subject, space_id=space_id, since=before,
        until=since, pending_views=pending_views,
    )  # fmt: skip
    now, then = _figures(current), _figures(previous)
    return IndicatorsComparison(
        space_id=space_id,
        since=since,
        until=until,
        previous_since=before,
        current=current,
        previous=previous,
        changes=[
            IndicatorChange(
                indicator=key,
                current=now[key],
                previous=then[key],
                change=_change(now[key], then[key]),
            )
            for key in now
        ],
    )
