"""Request and response bodies of the grant endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from townhall_contracts.policy import GrantRef, Role
from townhall_platform.params import Instant
from townhall_policy.fields import DomainId, Justification, SubjectId
from townhall_policy.holdings.grants.models import Grant


class GrantCreate(BaseModel):
    """A policy admin grants `role` to `subject` in `domain`, with a justification."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectId
    role: Role
    domain: DomainId
    justification: Justification
    valid_from: Instant | None = Field(default=None, description="Defaults to now")
    valid_to: Instant | None = Field(default=None, description="Open-ended when absent")


class ServiceGrantCreate(BaseModel):
    """A service relays a human's request to grant a space role (a space's creator
    becomes its owner; an owner adds a member)."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectId
    role: Role
    domain: DomainId
    on_behalf_of: SubjectId = Field(
        description="The human who asked: the grant is authorized and recorded as theirs"
    )
    justification: Justification


class ServiceRevocation(ServiceGrantCreate):
    """A service relays a human's request to revoke a space role (someone leaving a
    public community; an owner removing a member): every grant of it in force goes."""


class Revocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    justification: Justification


class GrantRead(BaseModel):
    """A grant with its whole history: granted when, by whom, why; revoked likewise."""

    id: str
    subject: str
    role: str
    domain: str
    valid_from: datetime
    valid_to: datetime | None
    granted_by: str
    granted_at: datetime
    justification: str
    revoked_at: datetime | None
    revoked_by: str | None
    revocation_justification: str | None
    active: bool = Field(description="In force at the time of the answer")

    @classmethod
    def of(cls, grant: Grant, *, now: datetime) -> GrantRead:
        return cls(
            id=grant.id,
            subject=grant.subject_id,
            role=grant.role,
            domain=grant.domain,
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
            granted_by=grant.granted_by,
            granted_at=grant.granted_at,
            justification=grant.justification,
            revoked_at=grant.revoked_at,
            revoked_by=grant.revoked_by,
            revocation_justification=grant.revocation_justification,
            active=grant.is_active_at(now),
        )


class GrantList(BaseModel):
    grants: list[GrantRead]


def grant_ref(grant: Grant) -> GrantRef:
    return GrantRef(
        id=grant.id,
        subject=grant.subject_id,
        role=grant.role,
        domain=grant.domain,
        granted_by=grant.granted_by,
        granted_at=grant.granted_at,
        justification=grant.justification,
        valid_from=grant.valid_from,
        valid_to=grant.valid_to,
    )
