"""The domains table and the domain classes the role permissions are written for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column
from sqlmodel import Field

from townhall_contracts.policy import ORG_DOMAIN
from townhall_policy.database import PolicyTable
from townhall_policy.timestamps import UtcDateTime, utcnow

ORG_KIND = "org"
SPACE_PREFIX = "space:"


def domain_class(kind: str, visibility: str | None) -> str:
    """The class of a domain: `org`, or `<kind>-<visibility>` for a space."""
    if kind == ORG_KIND:
        return ORG_DOMAIN
    return f"{kind}-{visibility}"


class Domain(PolicyTable, table=True):
    """`org` (inserted by the first migration) or a space domain registered by publishing."""

    __tablename__ = "domains"
    __table_args__ = (
        CheckConstraint("kind IN ('org', 'community', 'announcement')", name="ck_domains_kind"),
        CheckConstraint(
            "(kind = 'org' AND visibility IS NULL)"
            " OR (kind <> 'org' AND visibility IN ('public', 'restricted'))",
            name="ck_domains_visibility",
        ),
    )

    id: str = Field(primary_key=True, max_length=80)
    kind: str = Field(max_length=16)
    visibility: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )

    @property
    def domain_class(self) -> str:
        return domain_class(self.kind, self.visibility)
