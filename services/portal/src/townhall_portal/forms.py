"""A page's form: checked with the API's own request model, and shown again when refused.

Every form works the same way: what was typed is checked by the model publishing or policy
validates it with (so the limits are theirs, never copied here), then sent; whatever is
wrong, by the form's check or by the API, comes back as one `FormRefused` that the page
shows again with the values as typed, an error per field and the reason it was refused.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from townhall_clients import UnexpectedResponse

from .times import parse_local

Request = TypeVar("Request", bound=BaseModel)

# What an API answers when the user may not, or may not yet, do what the form asked.
REFUSALS = (400, 403, 404, 409, 422)
# Pydantic's errors a field can be told in the user's language (the rest: its message).
_MESSAGE_KEYS = {
    "missing": "compose.required",
    "string_too_short": "compose.required",
    "string_too_long": "compose.too_long",
    "string_pattern_mismatch": "field.invalid",
    "literal_error": "field.invalid",
    "enum": "field.invalid",
    "datetime_parsing": "field.invalid",
    "datetime_from_date_parsing": "field.invalid",
}
# Policy's actions with a refusal told in plain words (`refusal.<action>` in the catalogues).
_EXPLAINED = (
    "post.official",
    "post.social",
    "comment",
    "react",
    "approve.official",
    "publish.official",
    "moderate",
    "endorse",
)
_ACTION_IN_SUMMARY = re.compile(r" may not ([a-z.]+) in ")


@dataclass
class FormState:
    """What a page shows with its form: the values typed, each field's error, a refusal."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    refused: str | None = None
    status_code: int = 200
    # The API's own words behind `refused`, one click away for those who need them.
    detail: str | None = None

    def context(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "errors": self.errors,
            "refused": self.refused,
            "refused_detail": self.detail,
        }


class FormRefused(Exception):
    """The form, or the API behind it, refused what was sent."""

    def __init__(
        self,
        *,
        errors: dict[str, str] | None = None,
        refused: str | None = None,
        status_code: int = 422,
        detail: str | None = None,
    ) -> None:
        super().__init__(refused or ", ".join(errors or {}))
        self.errors = errors or {}
        self.refused = refused
        self.status_code = status_code
        self.detail = detail

    def state(
        self, values: dict[str, Any] | None = None, *, shown: Collection[str] | None = None
    ) -> FormState:
        """The page's form again, with `values` as typed. An error of a field the form does
        not show (`shown`) joins the refusal, so that it is never lost."""
        errors = dict(self.errors)
        hidden = [
            errors.pop(name) for name in self.errors if shown is not None and name not in shown
        ]
        # A field the page does not show is told without its machine name.
        refused = self.refused or (hidden.pop(0) if hidden else None)
        detail = "; ".join(filter(None, [self.detail, *hidden])) or None
        return FormState(dict(values or {}), errors, refused, self.status_code, detail)


def checked(
    model: type[Request], fields: Mapping[str, Any], *, named: Mapping[str, str] | None = None
) -> Request:
    """`fields` as the API's request `model`, or `FormRefused` (422) naming each bad field;
    `named` maps a model's field to the form's when they differ."""
    try:
        return model.model_validate(dict(fields))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        general: list[str] = []
        for error in exc.errors():
            if not error["loc"]:
                general.append(_plain(error))
                continue
            name = str(error["loc"][0])
            errors.setdefault((named or {}).get(name, name), _message(error))
        raise FormRefused(errors=errors, refused="; ".join(general) or None) from exc


def _message(error: ErrorDetails) -> str:
    return _MESSAGE_KEYS.get(error["type"]) or _plain(error)


def _plain(error: ErrorDetails) -> str:
    return error["msg"].removeprefix("Value error, ")


@contextmanager
def refusals(statuses: tuple[int, ...] = REFUSALS) -> Iterator[None]:
    """An API's refusal (policy's no, a conflict, invalid input) as `FormRefused`."""
    try:
        yield
    except UnexpectedResponse as exc:
        if exc.status_code not in statuses:
            raise
        technical = refusal(exc) or exc.detail
        raise FormRefused(
            errors=field_errors(exc),
            refused=plain_refusal(exc) or technical,
            status_code=exc.status_code,
            detail=technical,
        ) from exc


def plain_refusal(exc: UnexpectedResponse) -> str | None:
    """The message key telling a refusal in plain words, when there is one."""
    problem = exc.problem if isinstance(exc.problem, dict) else {}
    reason = problem.get("reason")
    if exc.status_code == 409:
        return "refusal.conflict"
    if exc.status_code != 403 or not isinstance(reason, dict):
        return None
    found = _ACTION_IN_SUMMARY.search(str(reason.get("summary") or ""))
    if found and found.group(1) in _EXPLAINED:
        return f"refusal.{found.group(1)}"
    return "refusal.form"


def refusal(exc: UnexpectedResponse) -> str | None:
    """Policy's reason, in plain words, when an API refused an action."""
    problem = exc.problem if isinstance(exc.problem, dict) else {}
    reason = problem.get("reason")
    if isinstance(reason, dict):
        summary = str(reason.get("summary") or "")
        missing = reason.get("missing")
        if missing and str(missing) not in summary:
            return f"{summary} ({missing})" if summary else str(missing)
        return summary or None
    # A 404 says what is missing (a space one may not see is answered as a missing one).
    if exc.status_code in (403, 404, 409, 422):
        return str(problem.get("detail") or "") or None
    return None


def field_errors(exc: UnexpectedResponse) -> dict[str, str]:
    """Validation errors of an API, by form field."""
    problem = exc.problem if isinstance(exc.problem, dict) else {}
    errors: dict[str, str] = {}
    for error in problem.get("errors") or []:
        # The field's name, not the index of an item in a list field.
        names = [part for part in error.get("location") or [] if isinstance(part, str)]
        if names:
            kind = str(error.get("type", ""))
            errors[names[-1]] = _MESSAGE_KEYS.get(kind) or str(error.get("message", ""))
    return errors


def future_instant(value: str, *, zone: ZoneInfo, name: str = "publish_at") -> datetime | None:
    """A time typed in field `name`, in `zone`, for something to happen later;
    `FormRefused` when it is not a time or already past, None when left empty."""
    if not value.strip():
        return None
    instant = parse_local(value, zone)
    if instant is None or instant <= datetime.now(UTC):
        raise FormRefused(errors={name: "official.publish_at_invalid"})
    return instant


def parse_instant(value: str) -> datetime | None:
    """A `datetime-local` field the page labels as UTC (or ISO 8601); None when empty or
    invalid."""
    return parse_local(value, ZoneInfo("UTC"))
