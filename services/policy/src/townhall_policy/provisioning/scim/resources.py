"""Subjects as SCIM resources and back: a user is a `User` (with the enterprise extension's
`department`), a group a `Group` whose members are users.

A user's SCIM `id` is its subject id, the lower case of its `userName`: the subject the
company's identity provider puts in a person's tokens must be that same name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    GroupMembership,
    InvalidValueException,
    Meta,
    User,
)

from townhall_policy.directory.service import SubjectRecord
from townhall_policy.holdings.directory.models import Subject, SubjectKind

ScimUser = User[EnterpriseUser]
SUBJECT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_NOT_IN_ID = re.compile(r"[^a-z0-9._-]+")


def user_id(user_name: str | None) -> str:
    """The subject id a `userName` names (case-insensitive, as SCIM's userName is)."""
    candidate = (user_name or "").strip().lower()
    if not SUBJECT_ID.match(candidate):
        raise InvalidValueException(
            detail=(
                f"userName {user_name!r} is no Townhall subject: 1 to 128 of a-z, 0-9, '.', "
                "'_', '-' (map userName to the subject your identity provider's tokens carry)."
            )
        )
    return candidate


def group_id_stem(display_name: str) -> str:
    """A readable id for a new group, from its name (`Sales EMEA` → `sales-emea`)."""
    stem = _NOT_IN_ID.sub("-", display_name.lower()).strip("-._")[:120]
    return stem or "group"


def _meta(subject: Subject, resource_type: str, base_url: str) -> Meta:
    return Meta(
        resource_type=resource_type,
        created=subject.created_at,
        last_modified=subject.updated_at,
        location=f"{base_url}/{resource_type}s/{subject.id}",
    )


def to_user(subject: Subject, groups: Sequence[Subject], *, base_url: str) -> ScimUser:
    user = ScimUser(
        id=subject.id,
        external_id=subject.external_id,
        user_name=subject.user_name or subject.id,
        display_name=subject.display_name,
        active=subject.active,
        emails=[Email(value=subject.email)] if subject.email else None,
        groups=[
            GroupMembership(value=group.id, display=group.display_name, type="direct")
            for group in groups
        ]
        or None,
        meta=_meta(subject, "User", base_url),
    )
    if subject.department:
        user[EnterpriseUser] = EnterpriseUser(department=subject.department)
    return user


def to_group(subject: Subject, members: Sequence[Subject], *, base_url: str) -> Group:
    return Group(
        id=subject.id,
        external_id=subject.external_id,
        display_name=subject.display_name,
        members=[
            GroupMember(value=member.id, ref=f"{base_url}/Users/{member.id}", type="User")
            for member in members
        ]
        or None,
        meta=_meta(subject, "Group", base_url),
    )


def _display_name(user: ScimUser) -> str:
    if user.display_name:
        return user.display_name
    name = user.name
    if name is not None:
        if name.formatted:
            return name.formatted
        parts = [part for part in (name.given_name, name.family_name) if part]
        if parts:
            return " ".join(parts)
    return str(user.user_name)


def _email(user: ScimUser) -> str | None:
    emails = [email for email in user.emails or () if email.value]
    if not emails:
        return None
    chosen = next((email for email in emails if email.primary), emails[0])
    value = str(chosen.value)
    if not EMAIL.match(value) or len(value) > 254:
        raise InvalidValueException(detail=f"emails: {value!r} is not an address.")
    return value


def user_record(user: ScimUser, subject_id: str) -> SubjectRecord:
    """The directory record a SCIM user describes (its groups are the groups' business)."""
    enterprise = user[EnterpriseUser]
    department = enterprise.department if enterprise is not None else None
    return SubjectRecord(
        id=subject_id,
        kind=SubjectKind.USER,
        display_name=_bounded(_display_name(user), 200, "displayName"),
        department=_bounded(department, 100, "department") if department else None,
        email=_email(user),
        active=user.active is not False,
    )


def group_record(
    group: Group, subject_id: str, *, active: bool, group_type: str | None
) -> SubjectRecord:
    """A group's record; a group SCIM creates is a `team` unless the directory said else."""
    return SubjectRecord(
        id=subject_id,
        kind=SubjectKind.GROUP,
        display_name=_bounded(group.display_name or "", 200, "displayName"),
        group_type=group_type or "team",
        active=active,
    )


def member_ids(group: Group) -> list[str]:
    return sorted({str(member.value) for member in group.members or () if member.value})


def _bounded(value: str, limit: int, attribute: str) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidValueException(detail=f"{attribute} must be 1 to {limit} characters.")
    return value
