"""The demo directory of DESIGN.md: stable ids used by seeding and `townhall token`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    id: str
    name: str
    title: str
    department: str
    org_roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoSpace:
    id: str
    name: str
    kind: str
    visibility: str
    members: tuple[str, ...]
    owner: str


EMPLOYEE = "employee"

USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "claire",
        "Claire Martin",
        "Communications officer",
        "communication",
        (EMPLOYEE, "communicator"),
    ),
    DemoUser(
        "marc", "Marc Lefebvre", "Head of communications", "communication", (EMPLOYEE, "approver")
    ),
    DemoUser(
        "sophie", "Sophie Bernard", "Spokesperson", "communication", (EMPLOYEE, "spokesperson")
    ),
    DemoUser("alice", "Alice Dubois", "Software engineer", "engineering", (EMPLOYEE,)),
    DemoUser("bob", "Bob Moreau", "Site reliability engineer", "engineering", (EMPLOYEE,)),
    DemoUser("chloe", "Chloé Laurent", "HR business partner", "hr", (EMPLOYEE,)),
    DemoUser("david", "David Simon", "Account executive", "sales", (EMPLOYEE,)),
    DemoUser("emma", "Emma Michel", "HR manager", "hr", (EMPLOYEE,)),
    DemoUser("farid", "Farid Haddad", "Operations lead", "operations", (EMPLOYEE,)),
    DemoUser("gaelle", "Gaëlle Roux", "Sales manager", "sales", (EMPLOYEE,)),
    DemoUser(
        "nadia", "Nadia Benali", "Community moderator", "communication", (EMPLOYEE, "moderator")
    ),
    DemoUser(
        "olivier",
        "Olivier Garnier",
        "Compliance officer",
        "legal",
        (EMPLOYEE, "compliance_officer"),
    ),
    DemoUser("paul", "Paul Fournier", "Policy administrator", "it", (EMPLOYEE, "policy_admin")),
    DemoUser("hugo", "Hugo Lambert", "Warehouse supervisor", "operations", (EMPLOYEE,)),
    DemoUser("zoe", "Zoé Petit", "External contractor", "external", ()),
)
# DESIGN's table names 14 people; hugo, an employee without any space, makes the 15 the
# walking-system issue asks for and is the "employee in no space" of the tests.

EMPLOYEES = tuple(u.id for u in USERS if EMPLOYEE in u.org_roles)

SPACES: tuple[DemoSpace, ...] = (
    DemoSpace("general", "Général", "announcement", "public", EMPLOYEES, "claire"),
    DemoSpace(
        "engineering",
        "Engineering",
        "community",
        "public",
        ("alice", "bob", "david", "farid"),
        "bob",
    ),
    DemoSpace(
        "cafe",
        "Café",
        "community",
        "public",
        ("alice", "chloe", "emma", "gaelle", "farid"),
        "farid",
    ),
    DemoSpace(
        "hr-confidential", "RH confidentiel", "community", "restricted", ("chloe", "emma"), "emma"
    ),
    DemoSpace(
        "projet-phoenix",
        "Projet Phoenix",
        "community",
        "restricted",
        ("alice", "bob", "zoe"),
        "alice",
    ),
)

GROUPS: dict[str, tuple[str, ...]] = {
    "communication": ("claire", "marc", "sophie", "nadia"),
    "engineering": ("alice", "bob"),
    "sales": ("david", "gaelle"),
    "hr": ("chloe", "emma"),
    "operations": ("farid", "hugo"),
}


def user_ids() -> list[str]:
    return [u.id for u in USERS]
