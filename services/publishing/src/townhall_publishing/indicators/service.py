"""Computing the indicators over a period, per space or company-wide."""

from __future__ import annotations

import statistics
from collections.abc import Sequence, Set
from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action, space_domain
from townhall_contracts.readers import PostState

from ..policy_gate import PolicyGate
from ..posts.models import Post, PostKind
from ..spaces.service import get_visible_space
from .repository import IndicatorsRepository
from .schemas import AcknowledgementIndicator, Indicators, OfficialReach


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
    pending_views: Set[tuple[str, str]] = frozenset(),
) -> Indicators:
    """Indicators for communications staff, compliance, or (for a space) its owners."""
    candidates = [(Action.PUBLISH_OFFICIAL, ORG_DOMAIN), (Action.AUDIT_READ, ORG_DOMAIN)]
    if space_id is not None:
        # A space the caller may not see is answered as a missing one, before any refusal
        # that would name it.
        get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
        candidates.append((Action.MANAGE_SPACE, space_domain(space_id)))
    gate.require_any(subject=subject, candidates=candidates)

    data = IndicatorsRepository(session)
    posts = data.posts_out(since=since, until=until, space_id=space_id)
    posts_by_kind = {kind.value: 0 for kind in PostKind}
    for post in posts:
        posts_by_kind[post.kind] += 1
    comments_by_kind = {"social": 0, "official": 0}
    contributors = {post.author_id for post in posts}
    for answer, count, author in data.comment_counts(since=since, until=until, space_id=space_id):
        comments_by_kind["official" if answer else "social"] += count
        contributors.add(author)

    official = [p for p in posts if p.kind == PostKind.OFFICIAL]
    live_official = [p for p in official if p.state == PostState.PUBLISHED]
    audiences = _audience_sizes(gate, live_official)
    social = [p for p in posts if p.kind == PostKind.SOCIAL]
    replied = len(data.with_live_comments([p.id for p in social]))
    return Indicators(
        space_id=space_id,
        since=since,
        until=until,
        posts_by_kind=posts_by_kind,
        comments_by_kind=comments_by_kind,
        active_contributors=len(contributors),
        official_reach=_reach(data, official, live_official, audiences, pending_views),
        acknowledgement=_acknowledgement(data, live_official, audiences),
        social_posts_with_reply=replied,
        social_reply_share=_ratio(replied, len(social)),
    )


def _audience_sizes(gate: PolicyGate, posts: Sequence[Post]) -> dict[str, int]:
    """Per post, how many of its readers policy finds now (its author aside)."""
    # One expansion per distinct readers list; many posts share the same audience.
    audiences: dict[tuple[str, ...], list[str]] = {}
    sizes: dict[str, int] = {}
    for post in posts:
        readers = tuple(sorted(post.readers))
        if readers not in audiences:
            audiences[readers] = gate.audience(list(readers), author="")
        sizes[post.id] = sum(1 for s in audiences[readers] if s != post.author_id)
    return sizes


def _reach(
    data: IndicatorsRepository,
    official: Sequence[Post],
    live: Sequence[Post],
    audiences: dict[str, int],
    pending_views: Set[tuple[str, str]],
) -> OfficialReach:
    """Who opened the live official posts, against their audiences."""
    ids = {p.id for p in official}
    # Views noted by reads and not written yet count too.
    viewers = data.viewers(sorted(ids)) | {v for v in pending_views if v[0] in ids}
    views: dict[str, int] = {}
    for post_id, _user in viewers:
        views[post_id] = views.get(post_id, 0) + 1
    audience = sum(audiences.values())
    readers = sum(views.get(p.id, 0) for p in live)
    return OfficialReach(
        posts=len(official), audience=audience, readers=readers, rate=_ratio(readers, audience)
    )


def _acknowledgement(
    data: IndicatorsRepository, live: Sequence[Post], audiences: dict[str, int]
) -> AcknowledgementIndicator:
    """How much of their audiences acknowledged the live posts that ask for it, how fast."""
    asking = [p for p in live if p.requires_ack]
    expected = sum(audiences[p.id] for p in asking)
    published = {p.id: p.published_at for p in asking}
    acks = data.acknowledgements(list(published))
    delays = [
        max((ack.acknowledged_at - start).total_seconds(), 0.0)
        for ack in acks
        if (start := published[ack.post_id]) is not None
    ]
    return AcknowledgementIndicator(
        posts=len(asking),
        expected=expected,
        acknowledged=len(acks),
        rate=_ratio(len(acks), expected),
        median_seconds_to_acknowledge=statistics.median(delays) if delays else None,
    )
