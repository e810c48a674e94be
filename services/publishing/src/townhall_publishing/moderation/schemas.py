"""What the moderation API accepts and answers: publishing's public contract, in libs/contracts."""

from __future__ import annotations

from townhall_contracts.publishing.moderation import ModerationActionList as ModerationActionList
from townhall_contracts.publishing.moderation import ModerationActionRead as ModerationActionRead
from townhall_contracts.publishing.moderation import ModerationRequest as ModerationRequest
from townhall_contracts.publishing.moderation import ReportCreate as ReportCreate
from townhall_contracts.publishing.moderation import ReportList as ReportList
from townhall_contracts.publishing.moderation import ReportRead as ReportRead

__all__ = [
    "ModerationActionList",
    "ModerationActionRead",
    "ModerationRequest",
    "ReportCreate",
    "ReportList",
    "ReportRead",
]
