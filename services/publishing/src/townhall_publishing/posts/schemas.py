"""What the posts API accepts and answers: publishing's public contract, in libs/contracts."""

from __future__ import annotations

from townhall_contracts.publishing.engagement import AcknowledgementRead as AcknowledgementRead
from townhall_contracts.publishing.engagement import AcknowledgementReport as AcknowledgementReport
from townhall_contracts.publishing.engagement import CommentBody as CommentBody
from townhall_contracts.publishing.engagement import CommentCreate as CommentCreate
from townhall_contracts.publishing.engagement import CommentList as CommentList
from townhall_contracts.publishing.engagement import CommentRead as CommentRead
from townhall_contracts.publishing.engagement import CommentUpdate as CommentUpdate
from townhall_contracts.publishing.engagement import ReactionCreate as ReactionCreate
from townhall_contracts.publishing.engagement import ReactionSummary as ReactionSummary
from townhall_contracts.publishing.fields import Authority as Authority
from townhall_contracts.publishing.fields import Reason as Reason
from townhall_contracts.publishing.fields import SpaceId as SpaceRef
from townhall_contracts.publishing.moderation import ModerationRequest as ModerationRequest
from townhall_contracts.publishing.moderation import ReportCreate as ReportCreate
from townhall_contracts.publishing.posts import GroupId as GroupId
from townhall_contracts.publishing.posts import PostBody as PostBody
from townhall_contracts.publishing.posts import PostCreate as PostCreate
from townhall_contracts.publishing.posts import PostHistory as PostHistory
from townhall_contracts.publishing.posts import PostRead as PostRead
from townhall_contracts.publishing.posts import PostStepRead as PostStepRead
from townhall_contracts.publishing.posts import PostUpdate as PostUpdate
from townhall_contracts.publishing.posts import PublishRequest as PublishRequest
from townhall_contracts.publishing.posts import ReasonRequest as ReasonRequest
from townhall_contracts.publishing.posts import RejectRequest as RejectRequest
from townhall_contracts.publishing.posts import SubmitRequest as SubmitRequest
from townhall_contracts.publishing.posts import Title as Title
from townhall_contracts.publishing.posts import VersionList as VersionList
from townhall_contracts.publishing.posts import VersionRead as VersionRead
from townhall_contracts.publishing.posts import Vouch as Vouch
from townhall_contracts.publishing.posts import VouchRequest as VouchRequest

__all__ = [
    "AcknowledgementRead",
    "AcknowledgementReport",
    "Authority",
    "CommentBody",
    "CommentCreate",
    "CommentList",
    "CommentRead",
    "CommentUpdate",
    "GroupId",
    "ModerationRequest",
    "PostBody",
    "PostCreate",
    "PostHistory",
    "PostRead",
    "PostStepRead",
    "PostUpdate",
    "PublishRequest",
    "ReactionCreate",
    "ReactionSummary",
    "Reason",
    "ReasonRequest",
    "RejectRequest",
    "ReportCreate",
    "SpaceRef",
    "SubmitRequest",
    "Title",
    "VersionList",
    "VersionRead",
    "Vouch",
    "VouchRequest",
]
