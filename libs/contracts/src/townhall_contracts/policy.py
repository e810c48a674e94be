"""The policy service's public contract: actions, roles, decisions, principals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

ORG_DOMAIN = "org"
DOMAIN_PATTERN = r"^(org|space:[a-z0-9][a-z0-9_-]{0,62})$"


class Action(StrEnum):
    READ = "read"
    POST_SOCIAL = "post.social"
    COMMENT = "comment"
    REACT = "react"
    POST_OFFICIAL = "post.official"
    APPROVE_OFFICIAL = "approve.official"
    PUBLISH_OFFICIAL = "publish.official"
    ANSWER_OFFICIAL = "answer.official"
    PIN = "pin"
    ENDORSE = "endorse"
    MODERATE = "moderate"
    MANAGE_MEMBERS = "manage.members"
    MANAGE_SPACE = "manage.space"
    AUDIT_READ = "audit.read"
    GRANTS_MANAGE = "grants.manage"
    OBJECTIVE_DEFINE = "objective.define"
    OBJECTIVE_READ = "objective.read"
    # Search's vocabulary (synonyms, translations) and best bets, in domain `org`.
    VOCABULARY_MANAGE = "vocabulary.manage"


class Role(StrEnum):
    EMPLOYEE = "employee"
    COMMUNICATOR = "communicator"
    APPROVER = "approver"
    SPOKESPERSON = "spokesperson"
    MODERATOR = "moderator"
    COMPLIANCE_OFFICER = "compliance_officer"
    POLICY_ADMIN = "policy_admin"
    OWNER = "owner"
    MEMBER = "member"


class SpaceKind(StrEnum):
    COMMUNITY = "community"
    ANNOUNCEMENT = "announcement"


def space_domain(space_id: str) -> str:
    return f"space:{space_id}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionRequest(_Strict):
    subject: str = Field(min_length=1, max_length=128)
    action: Action
    domain: str = Field(pattern=DOMAIN_PATTERN)


class GrantRef(BaseModel):
    """The grant a decision rests on."""

    id: str
    subject: str
    role: str
    domain: str
    granted_by: str
    granted_at: datetime
    justification: str
    valid_from: datetime | None = None
    valid_to: datetime | None = None


class Reason(BaseModel):
    """Why a decision came out as it did."""

    summary: str
    rule: str | None = None
    role_path: list[str] = Field(default_factory=list)
    grant: GrantRef | None = None
    missing: str | None = None


class Decision(BaseModel):
    allowed: bool
    decision_id: str
    policy_revision: int
    reason: Reason
    subject: str
    action: str
    domain: str


class DecisionBatchRequest(_Strict):
    decisions: list[DecisionRequest] = Field(min_length=1, max_length=1000)


class DecisionBatch(BaseModel):
    policy_revision: int
    decisions: list[Decision]


# At most this many subjects in one `AllowedSubjectsRequest`: a larger audience is asked in
# several requests. The body limit (`MAX_BODY_BYTES`) applies as well, before this one.
MAX_ALLOWED_SUBJECTS = 10_000


class AllowedSubjectsRequest(_Strict):
    """Many subjects, one action and one domain: which of them policy allows it."""

    action: Action
    domain: str = Field(pattern=DOMAIN_PATTERN)
    subjects: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=MAX_ALLOWED_SUBJECTS
    )


class AllowedSubjects(BaseModel):
    """The subjects asked about that a decision would allow, in the order asked, each once."""

    action: str
    domain: str
    subjects: list[str]
    policy_revision: int


class Principals(BaseModel):
    subject: str
    active: bool
    principals: list[str]
    policy_revision: int


# The reader principals of `townhall_contracts.readers`.
_ID = r"[a-z0-9][a-z0-9._-]{0,127}"
READER_PRINCIPAL_PATTERN = (
    rf"^(org|auditor:org|moderator:org|moderator:space:{_ID}|space:{_ID}|group:{_ID}|user:{_ID})$"
)
ReaderPrincipal = Annotated[str, Field(pattern=READER_PRINCIPAL_PATTERN, max_length=160)]


class AudienceRequest(_Strict):
    """Reader principals (a post's `readers`) to expand into the users holding them."""

    principals: list[ReaderPrincipal] = Field(min_length=1, max_length=1000)


class Audience(BaseModel):
    """The active users holding any of `principals`, at `policy_revision`."""

    principals: list[str]
    subjects: list[str]
    policy_revision: int


class GroupType(StrEnum):
    DEPARTMENT = "department"
    SITE = "site"
    TEAM = "team"


class GroupSummary(BaseModel):
    """A directory group, for breakdowns by site, department or team."""

    id: str
    display_name: str
    group_type: str | None


class GroupList(BaseModel):
    groups: list[GroupSummary]


class DomainRegistration(_Strict):
    """Publishing tells policy the kind and visibility of each space domain, on behalf of
    the human who asked (policy checks that they may create or manage the space)."""

    kind: SpaceKind
    visibility: str = Field(pattern=r"^(public|restricted)$")
    on_behalf_of: str = Field(
        min_length=1,
        max_length=128,
        description="The human who asked: authorized and recorded as theirs",
    )


class Revision(BaseModel):
    policy_revision: int
    details: dict[str, Any] = Field(default_factory=dict)


class NamesRequest(_Strict):
    """Subject ids (users or groups) a page shows, to be told by their names."""

    ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=200
    )


class NamedSubject(BaseModel):
    """An active subject's display name; for a group, how many active people it reaches."""

    id: str
    kind: str
    display_name: str
    members: int | None = None


class Names(BaseModel):
    """The active subjects among the ids asked for; an unknown or inactive id is left out."""

    subjects: list[NamedSubject]
    policy_revision: int
