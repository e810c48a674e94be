"""What the spaces API accepts and answers: publishing's public contract, in libs/contracts."""

from __future__ import annotations

from townhall_contracts.publishing.fields import SPACE_ID_PATTERN as SPACE_ID_PATTERN
from townhall_contracts.publishing.fields import SpaceId as SpaceId
from townhall_contracts.publishing.spaces import MemberAdd as MemberAdd
from townhall_contracts.publishing.spaces import MemberAdded as MemberAdded
from townhall_contracts.publishing.spaces import SpaceCreate as SpaceCreate
from townhall_contracts.publishing.spaces import SpaceList as SpaceList
from townhall_contracts.publishing.spaces import SpaceRead as SpaceRead
from townhall_contracts.publishing.spaces import SpaceRole as SpaceRole
from townhall_contracts.publishing.spaces import SpaceUpdate as SpaceUpdate

__all__ = [
    "SPACE_ID_PATTERN",
    "MemberAdd",
    "MemberAdded",
    "SpaceCreate",
    "SpaceId",
    "SpaceList",
    "SpaceRead",
    "SpaceRole",
    "SpaceUpdate",
]
