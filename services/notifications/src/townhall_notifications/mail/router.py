"""`GET /v1/dev/mail`: the development mailbox (404 outside development)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query

from townhall_contracts.notifications import DevMail
from townhall_platform.app import CurrentUser
from townhall_platform.errors import NotFound, problem_responses

from ..deps import SettingsDep
from .sink import read_mailbox

router = APIRouter(prefix="/v1/dev", tags=["development"])


@router.get(
    "/mail",
    response_model=list[DevMail],
    summary="The mails the development SMTP sink received, newest first (development only)",
    responses=problem_responses(401, 403, 404),
)
def get_dev_mail(
    user: CurrentUser,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DevMail]:
    if not settings.dev_mailbox:
        raise NotFound("The development mailbox exists only in development, with the SMTP sink.")
    return read_mailbox(Path(settings.smtp_sink_dir), limit=limit)
