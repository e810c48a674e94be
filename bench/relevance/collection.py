"""The judged collection, generated from `topics.py` and `distractors.py`: posts, queries,
graded judgements, and the split into a tuning and a held-out part.

Every post is generated for a purpose (an official answer, a reminder repeating it, a
colleague's answer, a colleague's question, or a distractor about something else), and
its grade for a query follows from that purpose alone, never from what an engine returns
(GUIDE.md). The same seed always gives the same collection.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .distractors import distractor_posts
from .topics import TOPICS, Facet, Topic

SEED = 20
# Every third topic (in the order of topics.py) is held out: tune on the others.
HELD_OUT_EVERY = 3
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Post:
    id: str
    language: str
    title: str
    body: str
    kind: str
    space_id: str
    created_at: datetime
    topic: str = ""
    facet: str = ""
    role: str = "distractor"  # official, reminder, answer, question, distractor


@dataclass(frozen=True, slots=True)
class Judged:
    id: str
    text: str
    language: str
    part: str  # tuning or held-out
    tags: tuple[str, ...]
    grades: dict[str, int] = field(default_factory=dict)


_ANSWER = {
    "fr": (
        ("Re : {question} ?", "D'après la note officielle : {first} Bon à savoir."),
        (
            "Mon expérience : {title_lower}",
            "On m'a demandé {question}. {last} Ça s'est bien passé pour moi.",
        ),
    ),
    "en": (
        ("Re: {question}?", "According to the official note: {first} Good to know."),
        (
            "My experience: {title_lower}",
            "Someone asked me {question}. {last} It went fine for me.",
        ),
    ),
}
_QUESTION = {
    "fr": (
        "Question : {question} ?",
        "Quelqu'un sait {question} ? Je n'ai rien trouvé sur l'intranet, merci d'avance.",
    ),
    "en": (
        "Question: {question}?",
        "Does anyone know {question}? I could not find it on the intranet, thanks.",
    ),
}
_REMINDER = {
    "fr": ("Rappel : {title}", "{body} Merci de relayer dans vos équipes."),
    "en": ("Reminder: {title}", "{body} Please share with your teams."),
}


def _sentences(body: str) -> list[str]:
    parts = [s.strip() for s in body.replace("? ", "?|").replace(". ", ".|").split("|")]
    return [s if s.endswith((".", "?", "!")) else s + "." for s in parts if s]


def _text(facet: Facet, language: str) -> tuple[str, str, str]:
    return facet.fr if language == "fr" else facet.en


def _topic_posts(topic: Topic, rng: random.Random, moment: datetime) -> list[Post]:
    posts: list[Post] = []
    for facet in topic.facets:
        for language in ("fr", "en"):
            title, body, question = _text(facet, language)
            if not title:
                continue
            base = f"{topic.id}-{facet.key}-{language}"
            sentences = _sentences(body)
            fill = {
                "title": title,
                "title_lower": title[0].lower() + title[1:],
                "body": body,
                "question": question,
                "first": sentences[0],
                "last": sentences[-1],
            }
            # (suffix, kind, role, title and body patterns): what each post is for.
            made = [("official", "official", "official", ("{title}", "{body}"))]
            if zlib.crc32(base.encode()) % 2 == 0:
                made.append(("reminder", "official", "reminder", _REMINDER[language]))
            made += [
                (f"answer{n}", "social", "answer", pattern)
                for n, pattern in enumerate(_ANSWER[language])
            ]
            made.append(("question", "social", "question", _QUESTION[language]))
            for suffix, kind, role, (title_pattern, body_pattern) in made:
                offset = timedelta(days=rng.randrange(0, 300), minutes=rng.randrange(0, 600))
                posts.append(
                    Post(
                        id=f"{base}-{suffix}",
                        language=language,
                        title=title_pattern.format(**fill),
                        body=body_pattern.format(**fill),
                        kind=kind,
                        space_id=topic.space if kind == "official" else "cafe",
                        created_at=moment + offset,
                        topic=topic.id,
                        facet=facet.key,
                        role=role,
                    )
                )
    return posts


def grade(post: Post, topic: Topic, facet: str, language: str) -> int:
    """How fully `post` answers a query about `facet` of `topic`, asked in `language`."""
    if post.topic != topic.id:
        return 0
    in_reach = post.language == language or topic.langs != "both"
    if post.facet != facet:
        return 1 if post.role in ("official", "reminder") else 0
    if post.role in ("official", "reminder"):
        return 3 if in_reach else 2
    if post.role == "answer":
        return 2 if in_reach else 1
    return 1


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _typo(text: str) -> str | None:
    """Two neighbouring letters of the longest word swapped (the commonest slip)."""
    words = text.split()
    longest = max(words, key=len)
    if len(longest) < 6 or not longest.isalpha():
        return None
    middle = len(longest) // 2
    swapped = longest[: middle - 1] + longest[middle] + longest[middle - 1] + longest[middle + 1 :]
    return text.replace(longest, swapped, 1) if swapped != longest else None


_TYPES = {"kw": "keywords", "q": "question", "acr": "acronym"}


def _queries(topic: Topic, part: str) -> list[tuple[Facet, str, str, tuple[str, ...]]]:
    made = []
    for facet in topic.facets:
        for n, spec in enumerate(facet.queries):
            language, kind, text = spec.split("|", 2)
            tags = [_TYPES[kind]]
            if topic.langs not in ("both", language):
                tags.append("other-language")
            made.append((facet, language, text, tuple(tags)))
            folded = _fold(text)
            if language == "fr" and folded != text and n % 2 == 0:
                made.append((facet, language, folded, (*tags, "no-accent")))
            typo = _typo(text) if n % 3 == 1 else None
            if typo:
                made.append((facet, language, typo, (*tags, "typo")))
    return made


def build() -> tuple[list[Post], list[Judged]]:
    """The posts and the judged queries, the same on every call."""
    rng = random.Random(SEED)
    posts: list[Post] = []
    for topic in TOPICS:
        posts += _topic_posts(topic, rng, START)
    posts += distractor_posts(rng, START)
    judged: list[Judged] = []
    for number, topic in enumerate(TOPICS):
        part = "held-out" if number % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else "tuning"
        for facet, language, text, tags in _queries(topic, part):
            grades = {p.id: g for p in posts if (g := grade(p, topic, facet.key, language)) > 0}
            judged.append(
                Judged(
                    id=f"{topic.id}-{facet.key}-{len(judged)}",
                    text=text,
                    language=language,
                    part=part,
                    tags=tags,
                    grades=grades,
                )
            )
    return posts, judged
