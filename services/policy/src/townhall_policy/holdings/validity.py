"""The validity period grants and suspensions share: in force over [valid_from,
valid_to), ended early by a revocation (a grant) or a lift (a suspension)."""

from __future__ import annotations

from datetime import datetime, timedelta

from townhall_platform.errors import ValidationFailed

# A period may not start in the past: backdating would rewrite "who could do what, when".
# A little slack absorbs clock differences between the caller and this service.
BACKDATING_TOLERANCE = timedelta(minutes=5)


class InvalidValidity(ValidationFailed):
    type_slug = "invalid-validity"
    title = "Invalid validity period"


def check_period(starts: datetime, ends: datetime | None, *, now: datetime, what: str) -> None:
    """`InvalidValidity` unless the period starts now or later and ends after it starts;
    `what` names the holdings in the refusal ("grants", "suspensions")."""
    if starts < now - BACKDATING_TOLERANCE:
        raise InvalidValidity(
            f"valid_from {starts.isoformat()} is in the past: {what} cannot be backdated."
        )
    if ends is not None and ends <= starts:
        raise InvalidValidity(
            f"valid_to {ends.isoformat()} must be after valid_from {starts.isoformat()}."
        )


def in_force(
    instant: datetime, *, valid_from: datetime, valid_to: datetime | None, ended_at: datetime | None
) -> bool:
    """True when a period was in force at `instant`: started, not over, not ended early."""
    if ended_at is not None and ended_at <= instant:
        return False
    if valid_from > instant:
        return False
    return valid_to is None or instant < valid_to
