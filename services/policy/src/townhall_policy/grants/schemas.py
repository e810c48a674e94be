"""Request and response bodies of the grant endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from townhall_contracts.policy import DOMAIN_PATTERN, GrantRef, Role
from townhall_platform.params import Instant
from townhall_policy.grants.models import Grant

JUSTIFICATION_MIN = 3
JUSTIFICATION_MAX = 1000


def _stripped(value: str) -> str:
    value = value.strip()
    if len(value) < JUSTIFICATION_MIN:
        raise ValueError(f"justification must have at least {JUSTIFICATION_MIN} characters")
    return value


Justification = Annotated[
    str,
    Field(min_length=JUSTIFICATION_MIN, max_length=JUSTIFICATION_MAX),
    AfterValidator(_stripped),
]
SubjectId = Annotated[str, Field(min_length=1, max_length=128)]
DomainId = Annotated[str, Field(pattern=DOMAIN_PATTERN)]


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
