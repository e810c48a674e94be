"""Computing the indicators over a period, per space or company-wide."""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from townhall_contracts.policy import ORG_DOMAIN, Action, space_domain
from townhall_contracts.readers import PostState

from ..engagement.models import Acknowledgement, PostView
from ..policy_gate import PolicyGate
from ..posts.models import Comment, Post, PostKind
from ..spaces.service import get_visible_space
from .schemas import AcknowledgementIndicator, Indicators, OfficialReach

# Posts that count as having been out: published, later hidden, retracted or deleted.
_WENT_OUT = (
    PostState.PUBLISHED.value,
    PostState.HIDDEN.value,
    PostState.RETRACTED.value,
    PostState.DELETED.value,
)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compute(
    *,
    session: Session,
    gate: PolicyGate,
    subject: str,
    space_id: str | None,
    since: datetime,
    until: datetime,
    pending_views: set[tuple[str, str]] | None = None,
) -> Indicators:
    """Indicators for communications staff, compliance, or (for a space) its owners."""
    candidates = [(Action.PUBLISH_OFFICIAL, ORG_DOMAIN), (Action.AUDIT_READ, ORG_DOMAIN)]
    if space_id is not None:
        # A space the caller may not see is answered as a missing one, before any refusal
        # that would name it.
        get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
        candidates.append((Action.MANAGE_SPACE, space_domain(space_id)))
    gate.require_any(subject=subject, candidates=candidates)

    posts_q = select(Post).where(
        col(Post.published_at) >= since,
        col(Post.published_at) < until,
        col(Post.state).in_(_WENT_OUT),
    )
    if space_id is not None:
        posts_q = posts_q.where(col(Post.space_id) == space_id)
    posts = list(session.exec(posts_q))
    posts_by_kind = {kind.value: 0 for kind in PostKind}
    for post in posts:
        posts_by_kind[post.kind] += 1

    comments_q = (
        select(Comment.official, func.count(), Comment.author_id)
        .join(Post, col(Post.id) == col(Comment.post_id))
        .where(col(Comment.created_at) >= since, col(Comment.created_at) < until)
        .group_by(col(Comment.official), col(Comment.author_id))
    )
    if space_id is not None:
        comments_q = comments_q.where(col(Post.space_id) == space_id)
    comments_by_kind = {"social": 0, "official": 0}
    contributors = {post.author_id for post in posts}
    for is_answer, count, author in session.exec(comments_q):
        comments_by_kind["official" if is_answer else "social"] += int(count)
        contributors.add(author)

    official = [p for p in posts if p.kind == PostKind.OFFICIAL]
    live_official = [p for p in official if p.state == PostState.PUBLISHED]
    # One expansion per distinct readers list; many posts share the same audience.
    audiences: dict[tuple[str, ...], list[str]] = {}
    audience_sizes: dict[str, int] = {}
    for p in live_official:
        readers = tuple(sorted(p.readers))
        if readers not in audiences:
            audiences[readers] = gate.audience(list(readers), author="")
        audience_sizes[p.id] = sum(1 for s in audiences[readers] if s != p.author_id)
    official_ids = [p.id for p in official]
    viewers: set[tuple[str, str]] = set()
    if official_ids:
        viewers = set(
            session.exec(
                select(PostView.post_id, PostView.user_id).where(
                    col(PostView.post_id).in_(official_ids)
                )
            )
        )
        # Views noted by reads and not written yet count too.
        wanted = set(official_ids)
        viewers |= {v for v in pending_views or set() if v[0] in wanted}
    views: dict[str, int] = {}
    for post_id, _user in viewers:
        views[post_id] = views.get(post_id, 0) + 1
    reach_audience = sum(audience_sizes.values())
    reach_readers = sum(views.get(p.id, 0) for p in live_official)

    ack_posts = [p for p in live_official if p.requires_ack]
    expected = sum(audience_sizes[p.id] for p in ack_posts)
    delays: list[float] = []
    acknowledged = 0
    if ack_posts:
        published = {p.id: p.published_at for p in ack_posts}
        for ack in session.exec(
            select(Acknowledgement).where(col(Acknowledgement.post_id).in_(list(published)))
        ):
            acknowledged += 1
            start = published[ack.post_id]
            if start is not None:
                delays.append(max((ack.acknowledged_at - start).total_seconds(), 0.0))

    social = [p for p in posts if p.kind == PostKind.SOCIAL]
    replied = 0
    if social:
        replied_ids = set(
            session.exec(
                select(Comment.post_id)
                .where(
                    col(Comment.post_id).in_([p.id for p in social]),
                    col(Comment.deleted_at).is_(None),
                )
                .distinct()
            )
        )
        replied = len(replied_ids)

    return Indicators(
        space_id=space_id,
        since=since,
        until=until,
        posts_by_kind=posts_by_kind,
        comments_by_kind=comments_by_kind,
        active_contributors=len(contributors),
        official_reach=OfficialReach(
            posts=len(official),
            audience=reach_audience,
            readers=reach_readers,
            rate=_ratio(reach_readers, reach_audience),
        ),
        acknowledgement=AcknowledgementIndicator(
            posts=len(ack_posts),
            expected=expected,
            acknowledged=acknowledged,
            rate=_ratio(acknowledged, expected),
            median_seconds_to_acknowledge=statistics.median(delays) if delays else None,
        ),
        social_posts_with_reply=replied,
        social_reply_share=_ratio(replied, len(social)),
    )
