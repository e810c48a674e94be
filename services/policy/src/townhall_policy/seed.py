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
    _seed_users(session, report)
    _seed_groups(session, report)
    _seed_domains(session, report)
    _seed_grants(session, report)
    report.policy_revision = revision.current_revision(session)
    return report


def _seed_users(session: Session, report: SeedReport) -> None:
    for user in demo.USERS:
        _, created = ensure_subject(
            session,
            subject_id=user.id,
            display_name=user.name,
            kind=SubjectKind.USER,
            department=user.department,
            justification=SEED_JUSTIFICATION,
        )
        if created:
            report.users_created += 1
        else:
            report.users_existing += 1


def _seed_groups(session: Session, report: SeedReport) -> None:
    for group_id, members in demo.GROUPS.items():
        _, created = ensure_subject(
            session,
            subject_id=group_id,
            display_name=group_id.capitalize(),
            kind=SubjectKind.GROUP,
            department=group_id,
            group_type="department",
            justification=SEED_JUSTIFICATION,
        )
        if created:
            report.groups_created += 1
        else:
            report.groups_existing += 1
        for member_id in members:
            if ensure_membership(
                session,
                group_id=group_id,
                member_id=member_id,
                justification=SEED_JUSTIFICATION,
            ):
                report.memberships_created += 1
            else:
                report.memberships_existing += 1


def _seed_domains(session: Session, report: SeedReport) -> None:
    for space in demo.SPACES:
        _, changed = register_space_domain(
            session,
            domain_id=space_domain(space.id),
            kind=SpaceKind(space.kind),
            visibility=space.visibility,
        )
        if changed:
            report.domains_changed += 1
        else:
            report.domains_existing += 1


def _seed_grants(session: Session, report: SeedReport) -> None:
    wanted: list[tuple[str, str, str]] = [
        (user.id, role, ORG_DOMAIN) for user in demo.USERS for role in user.org_roles
    ]
    for space in demo.SPACES:
        domain = space_domain(space.id)
        wanted.extend((member, Role.MEMBER.value, domain) for member in space.members)
        wanted.append((space.owner, Role.OWNER.value, domain))
    for subject_id, role, domain in wanted:
        created = seed_grant(
            session,
            subject_id=subject_id,
            role=role,
            domain=domain,
            granted_by=SEED_GRANTOR,
            justification=SEED_JUSTIFICATION,
        )
        if created:
            report.grants_created += 1
        else:
            report.grants_existing += 1


def seed_population(session: Session, size: int) -> SeedReport:
    """Add the generated employees, their sites and departments, and the space they share.

    Sites are directory groups of type `site` that hold the `employee` role and membership
    of the shared space, so that each generated person needs no grant of their own.
    """
    report = SeedReport()
    members = demo_population.population(size)
    for member in members:
        _count_subject(
            report,
            ensure_subject(
                session,
                subject_id=member.id,
                display_name=member.name,
                kind=SubjectKind.USER,
                department=member.department,
                justification=SEED_JUSTIFICATION,
            )[1],
        )
    for site, name in demo_population.SITES.items():
        _, created = ensure_subject(
            session,
            subject_id=site,
            display_name=name,
            kind=SubjectKind.GROUP,
            group_type="site",
            justification=SEED_JUSTIFICATION,
        )
        report.groups_created += created
        report.groups_existing += not created
    placements = [(m.site, m.id) for m in members] + [(m.department, m.id) for m in members]
    placements += [(site, user) for user, site in demo_population.NAMED_SITES.items()]
    for group_id, member_id in placements:
        created = ensure_membership(
            session, group_id=group_id, member_id=member_id, justification=SEED_JUSTIFICATION
        )
        report.memberships_created += created
        report.memberships_existing += not created
    _seed_population_grants(session, report)
    report.policy_revision = revision.current_revision(session)
    return report


def _count_subject(report: SeedReport, created: bool) -> None:
    report.users_created += created
    report.users_existing += not created


def _seed_population_grants(session: Session, report: SeedReport) -> None:
    space = demo_population.COMMUNITY_SPACE
    domain = space_domain(space.id)
    _, changed = register_space_domain(
        session, domain_id=domain, kind=SpaceKind(space.kind), visibility=space.visibility
    )
    report.domains_changed += changed
    report.domains_existing += not changed
    wanted = [(space.owner, Role.OWNER.value, domain)]
    for site in demo_population.SITES:
        wanted += [(site, Role.EMPLOYEE.value, ORG_DOMAIN), (site, Role.MEMBER.value, domain)]
    for subject_id, role, where in wanted:
        created = seed_grant(
            session,
            subject_id=subject_id,
            role=role,
            domain=where,
            granted_by=SEED_GRANTOR,
            justification=SEED_JUSTIFICATION,
        )
        report.grants_created += created
        report.grants_existing += not created
