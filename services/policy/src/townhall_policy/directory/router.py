"""`/v1/directory/...`: subjects and groups, SCIM-like provisioning (CSV import: `provisioning`).

Reading needs `audit.read` or `grants.manage` in `org`; changing needs `grants.manage`
(policy admins) and a justification, recorded in the audit trail with the change.
Deactivating a subject refuses every decision about it at once; the last active policy
admin is never deactivated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from townhall_contracts.policy import ORG_DOMAIN, Action
from townhall_platform.app import CurrentUser
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_platform.params import NonNegativeInt
from townhall_policy.decisions.service import require, require_any
from townhall_policy.deps import Policy, PolicyEngineDep, SessionDep
from townhall_policy.directory import service as directory
from townhall_policy.directory.errors import SubjectNotFound
from townhall_policy.directory.schemas import (
    Deactivation,
    SubjectBody,
    SubjectCreate,
    SubjectList,
    SubjectPatch,
    SubjectRead,
)
from townhall_policy.holdings.directory import repository
from townhall_policy.holdings.directory.models import Subject, SubjectKind

router = APIRouter(prefix="/v1/directory", tags=["directory"])

SubjectPath = Annotated[str, Path(min_length=1, max_length=128)]


def _require_admin(policy: Policy, subject: str) -> None:
    require(
        policy.refresh_if_stale(),
        subject=subject,
        action=Action.GRANTS_MANAGE,
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )


def _read(session: SessionDep, subject: Subject) -> SubjectRead:
    groups = (
        repository.group_ids_of(session, subject.id)
        if subject.kind == SubjectKind.USER
        else repository.member_ids_of(session, subject.id)
    )
    return SubjectRead.of(subject, groups=groups)


def _get(session: SessionDep, subject_id: str) -> Subject:
    subject = repository.get_subject(session, subject_id)
    if subject is None:
        raise SubjectNotFound(f"No subject {subject_id!r} in the directory.")
    return subject


def _record(subject_id: str, kind: SubjectKind, body: SubjectBody) -> directory.SubjectRecord:
    return directory.SubjectRecord(
        id=subject_id,
        kind=kind,
        display_name=body.display_name,
        department=body.department,
        email=body.email,
        group_type=body.group_type,
        active=body.active,
        groups=tuple(body.groups) if body.groups is not None else None,
    )


@router.get(
    "/subjects",
    response_model=SubjectList,
    summary="Subjects of the directory (users and groups)",
    responses=problem_responses(401, 403, 422, 503),
)
def get_subjects(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    kind: SubjectKind | None = None,
    active: bool | None = None,
    group: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[NonNegativeInt, Query()] = 0,
) -> SubjectList:
    """For a group, `groups` lists its members; for a user, its groups."""
    require_any(
        policy.refresh_if_stale(),
        subject=caller.subject,
        actions=[Action.AUDIT_READ, Action.GRANTS_MANAGE],
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )
    rows = repository.list_subjects_filtered(
        session,
        kind=kind.value if kind else None,
        active=active,
        group_id=group,
        limit=limit,
        offset=offset,
    )
    return SubjectList(subjects=[_read(session, s) for s in rows])


@router.get(
    "/subjects/{subject_id}",
    response_model=SubjectRead,
    summary="One subject with its groups (or a group with its members)",
    responses=problem_responses(401, 403, 404, 503),
)
def get_subject(
    subject_id: SubjectPath, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> SubjectRead:
    require_any(
        policy.refresh_if_stale(),
        subject=caller.subject,
        actions=[Action.AUDIT_READ, Action.GRANTS_MANAGE],
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )
    return _read(session, _get(session, subject_id))


@router.post(
    "/subjects",
    response_model=SubjectRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user or a group (policy admins)",
    responses=problem_responses(400, 401, 403, 409, 413, 422, 503),
)
def post_subject(
    body: SubjectCreate, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> SubjectRead:
    _require_admin(policy, caller.subject)
    outcome = directory.create_subject(
        session,
        _record(body.id, SubjectKind(body.kind), body),
        actor=caller.subject,
        justification=body.justification,
    )
    return _read(session, outcome.subject)


@router.put(
    "/subjects/{subject_id}",
    response_model=SubjectRead,
    summary="Replace a subject's attributes and memberships (SCIM replace; policy admins)",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def put_subject(
    subject_id: SubjectPath,
    body: SubjectBody,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> SubjectRead:
    """`groups` absent keeps the memberships; `active: false` deactivates."""
    _require_admin(policy, caller.subject)
    existing = _get(session, subject_id)
    outcome = directory.apply_record(
        session,
        _record(subject_id, SubjectKind(existing.kind), body),
        actor=caller.subject,
        justification=body.justification,
    )
    return _read(session, outcome.subject)


@router.patch(
    "/subjects/{subject_id}",
    response_model=SubjectRead,
    summary="Change some of a subject's attributes (policy admins)",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def patch_subject(
    subject_id: SubjectPath,
    body: SubjectPatch,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> SubjectRead:
    _require_admin(policy, caller.subject)
    existing = _get(session, subject_id)
    given = body.model_dump(exclude_unset=True, exclude={"justification"})
    if not given:
        raise ValidationFailed("Give at least one attribute to change.")
    merged = SubjectBody(
        display_name=given.get("display_name") or existing.display_name,
        department=given.get("department", existing.department),
        email=given.get("email", existing.email),
        group_type=given.get("group_type", existing.group_type),
        groups=given.get("groups"),
        active=existing.active if given.get("active") is None else given["active"],
        justification=body.justification,
    )
    outcome = directory.apply_record(
        session,
        _record(subject_id, SubjectKind(existing.kind), merged),
        actor=caller.subject,
        justification=body.justification,
    )
    return _read(session, outcome.subject)


@router.delete(
    "/subjects/{subject_id}",
    response_model=SubjectRead,
    summary="Deactivate a subject (kept, never deleted): every decision about it is refused",
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
)
def delete_subject(
    subject_id: SubjectPath,
    body: Deactivation,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> SubjectRead:
    _require_admin(policy, caller.subject)
    _get(session, subject_id)
    subject = directory.set_subject_active(
        session,
        subject_id=subject_id,
        active=False,
        actor=caller.subject,
        justification=body.justification,
    )
    return _read(session, subject)
