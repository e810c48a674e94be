"""`POST /v1/directory/import`: the directory and its org roles from a CSV (policy admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from townhall_contracts.policy import ORG_DOMAIN, Action
from townhall_platform.app import CurrentUser
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_policy.decisions.service import require
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.directory.schemas import ImportReport
from townhall_policy.fields import Justification
from townhall_policy.provisioning.importer import apply_records, parse_csv
from townhall_policy.revision import repository as revision

router = APIRouter(prefix="/v1/directory", tags=["directory"])

MAX_IMPORT_CHARS = 5_000_000


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Import subjects and groups from CSV (all rows or none; policy admins)",
    responses=problem_responses(400, 401, 403, 409, 413, 422, 503),
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def post_import(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    body: Annotated[bytes, Body(media_type="text/csv")],
    justification: Annotated[
        Justification, Query(description="Why (recorded with every change the import makes)")
    ],
) -> ImportReport:
    """Columns: id, kind, display_name, department, email, group_type, groups, active, roles
    (org roles; policy_admin is never imported)."""
    require(
        policy.refresh_if_stale(),
        subject=caller.subject,
        action=Action.GRANTS_MANAGE,
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"The CSV is not UTF-8: {exc}") from exc
    if len(text) > MAX_IMPORT_CHARS:
        raise ValidationFailed(f"The CSV exceeds {MAX_IMPORT_CHARS} characters.")
    outcome = apply_records(
        session, parse_csv(text), actor=caller.subject, justification=justification
    )
    return ImportReport(
        rows=outcome.rows,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        deactivated=outcome.deactivated,
        reactivated=outcome.reactivated,
        roles_granted=outcome.roles_granted,
        roles_revoked=outcome.roles_revoked,
        policy_revision=revision.current_revision(session),
    )
