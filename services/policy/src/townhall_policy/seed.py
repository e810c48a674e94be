"""The demo directory of DESIGN.md, written into the policy tables. Idempotent.

Only what is missing is added: a second run changes nothing, and a demo grant that an
admin revoked is not granted again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from townhall_contracts import demo, demo_population
from townhall_contracts.policy import ORG_DOMAIN, Role, SpaceKind, space_domain
from townhall_policy.directory.service import ensure_membership, ensure_subject
from townhall_policy.domains.service import register_space_domain
from townhall_policy.grants.service import seed_grant
from townhall_policy.holdings.directory.models import SubjectKind
from townhall_policy.revision import repository as revision

SEED_GRANTOR = "system"
SEED_JUSTIFICATION = "Demo directory seed"
USER, GROUP = SubjectKind.USER, SubjectKind.GROUP


@dataclass
class SeedReport:
    """What a seed run added, and what was already there."""

    users_created: int = 0
    users_existing: int = 0
    groups_created: int = 0
    groups_existing: int = 0
    memberships_created: int = 0
    memberships_existing: int = 0
    domains_changed: int = 0
    domains_existing: int = 0
    grants_created: int = 0
    grants_existing: int = 0
    policy_revision: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.users_created
            + self.groups_created
            + self.memberships_created
            + self.domains_changed
            + self.grants_created
        )

    def lines(self) -> list[str]:
        return [
            f"users: {self.users_created} created, {self.users_existing} already present",
            f"groups: {self.groups_created} created, {self.groups_existing} already present",
            f"group memberships: {self.memberships_created} created, "
            f"{self.memberships_existing} already present",
            f"space domains: {self.domains_changed} registered, "
            f"{self.domains_existing} already present",
            f"grants: {self.grants_created} created, {self.grants_existing} already present",
            f"policy revision: {self.policy_revision}",
        ]


def seed_demo(session: Session) -> SeedReport:
    """Add the demo users, groups, space domains and grants that are missing."""
    report = SeedReport()
    for user in demo.USERS:
        _subject(session, report, USER, user.id, user.name, department=user.department)
    for group_id, members in demo.GROUPS.items():
        name = group_id.capitalize()
        _subject(
            session, report, GROUP, group_id, name, department=group_id, group_type="department"
        )
        for member_id in members:
            _membership(session, report, group_id, member_id)
    for space in demo.SPACES:
        _domain(session, report, space)
    wanted: list[tuple[str, str, str]] = [
        (user.id, role, ORG_DOMAIN) for user in demo.USERS for role in user.org_roles
    ]
    for space in demo.SPACES:
        domain = space_domain(space.id)
        wanted.extend((member, Role.MEMBER.value, domain) for member in space.members)
        wanted.append((space.owner, Role.OWNER.value, domain))
    _grants(session, report, wanted)
    report.policy_revision = revision.current_revision(session)
    return report


def seed_population(session: Session, size: int) -> SeedReport:
    """Add the generated employees, their sites and departments, and the space they share.

    Sites are directory groups of type `site` that hold the `employee` role and membership
    of the shared space, so that each generated person needs no grant of their own.
    """
    report = SeedReport()
    members = demo_population.population(size)
    for member in members:
        _subject(session, report, USER, member.id, member.name, department=member.department)
    for site, name in demo_population.SITES.items():
        _subject(session, report, GROUP, site, name, group_type="site")
    placements = [(m.site, m.id) for m in members] + [(m.department, m.id) for m in members]
    placements += [(site, user) for user, site in demo_population.NAMED_SITES.items()]
    for group_id, member_id in placements:
        _membership(session, report, group_id, member_id)
    space = demo_population.COMMUNITY_SPACE
    domain = space_domain(space.id)
    _domain(session, report, space)
    wanted = [(space.owner, Role.OWNER.value, domain)]
    for site in demo_population.SITES:
        wanted += [(site, Role.EMPLOYEE.value, ORG_DOMAIN), (site, Role.MEMBER.value, domain)]
    _grants(session, report, wanted)
    report.policy_revision = revision.current_revision(session)
    return report


# The steps both seeds take: each adds what is missing and counts what it found.


def _subject(
    session: Session,
    report: SeedReport,
    kind: SubjectKind,
    subject_id: str,
    name: str,
    *,
    department: str | None = None,
    group_type: str | None = None,
) -> None:
    _, created = ensure_subject(
        session,
        subject_id=subject_id,
        display_name=name,
        kind=kind,
        department=department,
        group_type=group_type,
        justification=SEED_JUSTIFICATION,
    )
    if kind is SubjectKind.USER:
        report.users_created += created
        report.users_existing += not created
    else:
        report.groups_created += created
        report.groups_existing += not created


def _membership(session: Session, report: SeedReport, group_id: str, member_id: str) -> None:
    created = ensure_membership(
        session, group_id=group_id, member_id=member_id, justification=SEED_JUSTIFICATION
    )
    report.memberships_created += created
    report.memberships_existing += not created


def _domain(session: Session, report: SeedReport, space: demo.DemoSpace) -> None:
    _, changed = register_space_domain(
        session,
        domain_id=space_domain(space.id),
        kind=SpaceKind(space.kind),
        visibility=space.visibility,
    )
    report.domains_changed += changed
    report.domains_existing += not changed


def _grants(session: Session, report: SeedReport, wanted: list[tuple[str, str, str]]) -> None:
    for subject_id, role, domain in wanted:
        created = seed_grant(
            session,
            subject_id=subject_id,
            role=role,
            domain=domain,
            granted_by=SEED_GRANTOR,
            justification=SEED_JUSTIFICATION,
        )
        report.grants_created += created
        report.grants_existing += not created
