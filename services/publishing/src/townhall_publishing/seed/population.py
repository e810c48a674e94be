"""Six weeks of plausible activity by the generated population, for objectives to measure.

Mandatory safety notices, acknowledged faster in some sites than others (Lyon lags, as
the walkthrough in docs/indicators.md tells), questions in the shared space with their
answers (some official), likes and a few reports. The same history on every run (a fixed
random seed); a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from townhall_contracts import demo, demo_population
from townhall_contracts.readers import PostState, post_readers

from ..content import render_markdown
from ..moderation.models import Report
from ..outbox.repository import OutboxRepository
from ..posts.documents import comment_document, post_document, readers_of_comment
from ..posts.lifecycle import feed_rank_of
from ..posts.models import Acknowledgement, Comment, Post, PostView, Reaction
from ..posts.repository import CommentRepository, PostRepository
from ..spaces.models import Space
from ..spaces.repository import SpaceRepository
from .service import seed_comment_id, seed_post_id

# Per site: the chance that a person acknowledges a notice, and the mean delay in hours.
ACKNOWLEDGING = {"paris": (0.94, 18.0), "nantes": (0.88, 30.0), "lyon": (0.70, 80.0)}
NOTICES = (
    "Exercice d'évacuation incendie",
    "Port des équipements de protection en atelier",
    "Nouvelle procédure d'accès au site",
    "Consignes en cas de canicule",
    "Signalement des incidents de sécurité",
    "Mise à jour du plan de continuité",
)
QUESTIONS = (
    "Comment poser des congés payés ?",
    "Où trouver le formulaire de note de frais ?",
    "Qui contacter pour un badge perdu ?",
    "Le parking visiteurs est-il ouvert le samedi ?",
    "How do I book a meeting room in Lyon?",
    "Is there a canteen menu for this week?",
)


@dataclass
class PopulationReport:
    created: bool
    notices: int = 0
    acknowledgements: int = 0
    questions: int = 0
    answers: int = 0


def seed_population(session: Session, size: int, *, now: datetime) -> PopulationReport:
    """Add the generated population's history, unless a first run already did."""
    first = seed_post_id("population:notice:0")
    if PostRepository(session).get(first) is not None:
        return PopulationReport(created=False)
    rng = random.Random(2026)
    people = demo_population.population(size)
    report = PopulationReport(created=True)
    spaces = SpaceRepository(session)
    general = spaces.get("general")
    if general is None:
        raise LookupError("Seed the demo content first: the notices go to the `general` space.")
    shared = _shared_space(spaces, now)
    for index, title in enumerate(NOTICES):
        published = (now - timedelta(days=40 - 7 * index)).replace(hour=9, minute=0)
        notice = _post(session, general, f"population:notice:{index}", title, "claire", published)
        report.notices += 1
        report.acknowledgements += _acknowledge(session, rng, notice, people, now)
    for index in range(size // 10):
        asker = people[rng.randrange(size)]
        asked = now - timedelta(hours=rng.uniform(24, 40 * 24))
        question = QUESTIONS[index % len(QUESTIONS)]
        post = _post(session, shared, f"population:question:{index}", question, asker.id, asked)
        report.questions += 1
        report.answers += _answer(session, rng, shared, post, people, now, index)
    if size // 10 >= 3:
        _reports(session, rng, shared, people, now)
    return report


def _shared_space(spaces: SpaceRepository, now: datetime) -> Space:
    space = spaces.get(demo_population.COMMUNITY_SPACE.id)
    if space is None:
        space = Space(
            id=demo_population.COMMUNITY_SPACE.id,
            name=demo_population.COMMUNITY_SPACE.name,
            kind=demo_population.COMMUNITY_SPACE.kind,
            visibility=demo_population.COMMUNITY_SPACE.visibility,
            description="Questions et entraide entre collègues de tous les sites.",
            created_by=demo_population.COMMUNITY_SPACE.owner,
            created_at=now - timedelta(days=60),
        )
        spaces.add(space)
    return space


def _post(session: Session, space: Space, key: str, title: str, author: str, at: datetime) -> Post:
    official = author == "claire"
    body = f"{title}\n\nMerci de lire attentivement." if official else title
    post = Post(
        id=seed_post_id(key),
        space_id=space.id,
        kind="official" if official else "social",
        requires_ack=official,
        authority="Direction de la communication" if official else None,
        title=title,
        body=body,
        body_html=render_markdown(body),
        author_id=author,
        state=PostState.PUBLISHED.value,
        readers=post_readers(
            space_id=space.id,
            visibility=space.visibility,
            state=PostState.PUBLISHED,
            author_id=author,
        ),
        version=1,
        created_at=at,
        updated_at=at,
        published_at=at,
        published_by=author,
    )
    post.feed_rank = feed_rank_of(post)
    PostRepository(session).add(post)
    OutboxRepository(session).append_upsert(document=post_document(post, space), version=1)
    return post


def _acknowledge(
    session: Session,
    rng: random.Random,
    notice: Post,
    people: list[demo_population.Member],
    now: datetime,
) -> int:
    """Each person opens the notice and acknowledges it, or not, as their site tends to."""
    assert notice.published_at is not None
    rows: list[Acknowledgement | PostView] = []
    for person in people:
        chance, mean_hours = ACKNOWLEDGING[person.site]
        seen = notice.published_at + timedelta(hours=rng.expovariate(1 / mean_hours))
        if seen >= now or rng.random() > chance:
            continue
        rows.append(PostView(post_id=notice.id, user_id=person.id, first_viewed_at=seen))
        acknowledged = seen + timedelta(minutes=rng.uniform(1, 30))
        if acknowledged < now:
            rows.append(
                Acknowledgement(post_id=notice.id, user_id=person.id, acknowledged_at=acknowledged)
            )
    session.add_all(rows)
    return sum(isinstance(row, Acknowledgement) for row in rows)


def _answer(
    session: Session,
    rng: random.Random,
    space: Space,
    post: Post,
    people: list[demo_population.Member],
    now: datetime,
    index: int,
) -> int:
    """Most questions get a colleague's answer within a day or two, some an official one."""
    answers = 0
    comments = CommentRepository(session)
    outbox = OutboxRepository(session)
    if rng.random() < 0.8:
        helper = people[rng.randrange(len(people))]
        official = rng.random() < 0.3
        author = "sophie" if official else helper.id
        at = post.created_at + timedelta(hours=rng.uniform(0.5, 50))
        if at < now and author != post.author_id:
            body = "Voici la marche à suivre, détaillée sur l'intranet RH."
            comment = Comment(
                id=seed_comment_id(f"population:answer:{index}"),
                post_id=post.id,
                author_id=author,
                body=body,
                body_html=render_markdown(body),
                state=PostState.PUBLISHED.value,
                official=official,
                authority="Communication" if official else None,
                version=1,
                created_at=at,
                updated_at=at,
            )
            comment.readers = readers_of_comment(comment, post, space)
            comments.add(comment)
            post.comment_count += 1
            outbox.append_upsert(document=comment_document(comment, post, space), version=1)
            answers += 1
    likers = {people[rng.randrange(len(people))].id for _ in range(rng.randrange(6))}
    session.add_all(
        Reaction(post_id=post.id, user_id=liker, kind="like", created_at=post.created_at)
        for liker in likers - {post.author_id}
    )
    return answers


def _reports(
    session: Session,
    rng: random.Random,
    space: Space,
    people: list[demo_population.Member],
    now: datetime,
) -> None:
    """A few reports in the shared space, most of them handled by its moderator."""
    moderator = next(u.id for u in demo.USERS if "moderator" in u.org_roles)
    for index in range(3):
        made = now - timedelta(days=rng.uniform(2, 30))
        handled = index < 2
        session.add(
            Report(
                id=seed_comment_id(f"population:report:{index}"),
                post_id=seed_post_id(f"population:question:{index}"),
                space_id=space.id,
                reporter_id=people[rng.randrange(len(people))].id,
                reason="Hors sujet",
                status="resolved" if handled else "open",
                created_at=made,
                resolved_by=moderator if handled else None,
                resolved_at=made + timedelta(hours=rng.uniform(1, 20)) if handled else None,
                resolution="dismiss" if handled else None,
            )
        )
