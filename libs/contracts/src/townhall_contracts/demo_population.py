"""A generated population beside the named demo users, so that breakdowns have people.

A few hundred employees over three sites and the five departments of `demo.GROUPS`,
the same on every run (ids, names, sites and departments follow from the position).
Policy seeds them into its directory (`townhall-policy seed --population N`), publishing
a plausible history of their activity (`townhall-publishing seed --population N`).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import demo

SITES: dict[str, str] = {"paris": "Paris", "lyon": "Lyon", "nantes": "Nantes"}
DEPARTMENTS = tuple(demo.GROUPS)
# A public community space every generated employee belongs to (through their site).
COMMUNITY_SPACE = demo.DemoSpace(
    "entraide", "Entraide", "community", "public", members=(), owner="claire"
)
DEFAULT_SIZE = 300
# The named demo users' sites: the walking scenarios stay as DESIGN.md tells them.
NAMED_SITES: dict[str, str] = {
    "claire": "paris",
    "marc": "paris",
    "sophie": "paris",
    "alice": "lyon",
    "bob": "lyon",
    "chloe": "paris",
    "david": "nantes",
    "emma": "paris",
    "farid": "lyon",
    "gaelle": "nantes",
    "nadia": "paris",
    "olivier": "paris",
    "paul": "paris",
    "hugo": "lyon",
}

_FIRST = (
    ("Léa", "lea"), ("Hugo", "hugo"), ("Camille", "camille"), ("Louis", "louis"),
    ("Manon", "manon"), ("Jules", "jules"), ("Inès", "ines"), ("Noah", "noah"),
    ("Chloé", "chloe"), ("Adam", "adam"), ("Sarah", "sarah"), ("Arthur", "arthur"),
    ("Zoé", "zoe"), ("Karim", "karim"), ("Amina", "amina"), ("Lucas", "lucas"),
    ("Emma", "emma"), ("Yanis", "yanis"), ("Jade", "jade"), ("Thomas", "thomas"),
    ("Anna", "anna"), ("Mehdi", "mehdi"), ("Lina", "lina"), ("Paul", "paul"),
)  # fmt: skip
_LAST = (
    ("Martin", "martin"), ("Bernard", "bernard"), ("Dubois", "dubois"), ("Thomas", "thomas"),
    ("Robert", "robert"), ("Richard", "richard"), ("Petit", "petit"), ("Durand", "durand"),
    ("Leroy", "leroy"), ("Moreau", "moreau"), ("Simon", "simon"), ("Laurent", "laurent"),
    ("Lefèvre", "lefevre"), ("Michel", "michel"), ("García", "garcia"), ("Nguyen", "nguyen"),
    ("Benali", "benali"), ("Rousseau", "rousseau"), ("Fontaine", "fontaine"),
    ("Chevalier", "chevalier"),
)  # fmt: skip


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    site: str
    department: str


def _site(position: int) -> str:
    """About 45 % in Paris, 35 % in Lyon, 20 % in Nantes."""
    slot = position * 37 % 20
    return "paris" if slot < 9 else "lyon" if slot < 16 else "nantes"


def population(size: int = DEFAULT_SIZE) -> list[Member]:
    """`size` generated employees, the same ones on every call."""
    members = []
    for position in range(size):
        first, first_id = _FIRST[position % len(_FIRST)]
        last, last_id = _LAST[position * 7 % len(_LAST)]
        members.append(
            Member(
                id=f"{first_id}.{last_id}.{position:03d}",
                name=f"{first} {last}",
                site=_site(position),
                department=DEPARTMENTS[position * 3 % len(DEPARTMENTS)],
            )
        )
    return members
