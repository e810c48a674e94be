"""An official feed rendered as Atom (RFC 4287), with the validators of conditional GET."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from .service import OfficialFeed

ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
_TITLES = {
    "en": ("Townhall: official posts", "Townhall: official posts in {space}"),
    "fr": ("Townhall : publications officielles", "Townhall : publications officielles de {space}"),
}
# An empty feed still needs an `updated`: a fixed instant keeps its validators stable.
_EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Validators:
    """What a reader sends back to poll cheaply: an ETag and a Last-Modified date."""

    etag: str
    last_modified: datetime | None

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag}
        if self.last_modified is not None:
            headers["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        return headers

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether the reader's copy is current (RFC 9110 13.1: If-None-Match, when
        given, decides alone; an unreadable If-Modified-Since is ignored)."""
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.etag.removeprefix("W/") in tags
        if if_modified_since is None or self.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        # HTTP dates have whole seconds.
        return self.last_modified.replace(microsecond=0) <= since


def validators(feed: OfficialFeed, *, language: str) -> Validators:
    """The feed's validators, from what it shows (so a post leaving the holder's view
    changes the ETag as surely as a new one does)."""
    digest = hashlib.sha256(f"{feed.space.id if feed.space else '*'}|{language}".encode())
    for entry in feed.entries:
        digest.update(f"|{entry['id']}:{entry['version']}:{entry['updated_at']}".encode())
    moments = [entry["updated_at"] for entry in feed.entries if entry["updated_at"] is not None]
    return Validators(
        etag=f'W/"{digest.hexdigest()[:32]}"', last_modified=max(moments) if moments else None
    )


def render(feed: OfficialFeed, *, portal_url: str, self_url: str, language: str) -> bytes:
    """The feed as an Atom document; each entry links to its post in the portal."""
    portal = portal_url.rstrip("/")
    generator = FeedGenerator()
    if feed.space is None:
        generator.id("urn:townhall:feeds:official")
        generator.title(_TITLES[language][0])
        generator.link(href=f"{portal}/", rel="alternate", type="text/html")
    else:
        generator.id(f"urn:townhall:feeds:spaces:{feed.space.id}:official")
        generator.title(_TITLES[language][1].format(space=feed.space.name))
        generator.link(href=f"{portal}/spaces/{feed.space.id}", rel="alternate", type="text/html")
    # The self link leaves the token out: the document may be shared, the token must not.
    generator.link(href=self_url, rel="self", type="application/atom+xml")
    generator.author({"name": "Townhall"})
    generator.language(language)
    moments = [entry["updated_at"] for entry in feed.entries if entry["updated_at"] is not None]
    generator.updated(max(moments) if moments else _EMPTY_FEED_UPDATED)
    for row in feed.entries:
        entry = generator.add_entry(order="append")
        entry.id(f"urn:townhall:posts:{row['id']}")
        entry.title(row["title"])
        entry.link(href=f"{portal}/posts/{row['id']}", rel="alternate", type="text/html")
        entry.author({"name": row["authority"] or row["author_id"]})
        entry.published(row["published_at"])
        entry.updated(row["updated_at"] or row["published_at"])
        entry.category(term=row["space_id"])
        entry.content(row["body_html"], type="html")
    document: bytes = generator.atom_str(pretty=False)
    return document
