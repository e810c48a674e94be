"""Mails from templates: text and HTML, in the recipient's language (French or English).

The templates sit beside this module (`templates/<name>.<language>.{txt,html}`); the HTML
ones escape what they are given, so a post's title cannot inject markup into a mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from townhall_contracts.notifications import Language, NotificationKind

from ..delivery.models import Notification
from ..delivery.plans import portal_path
from ..preferences.service import DIGEST_LINK, PreferenceBook, Profile

TEMPLATES = Path(__file__).parent / "templates"

HEADINGS: dict[Language, dict[NotificationKind, str]] = {
    Language.EN: {
        NotificationKind.OFFICIAL_POST: "A new official post",
        NotificationKind.ACKNOWLEDGEMENT_DUE: "Please read and acknowledge",
        NotificationKind.ACKNOWLEDGEMENT_REMINDER: "Reminder: your acknowledgement is due",
        NotificationKind.MENTION: "You were mentioned",
        NotificationKind.REPLY: "A reply to your post or comment",
        NotificationKind.OFFICIAL_ANSWER: "An official answer in your discussion",
        NotificationKind.ENDORSEMENT: "Your post was endorsed",
        NotificationKind.APPROVAL_REQUESTED: "An official post awaits your approval",
        NotificationKind.SUBMISSION_WITHDRAWN: "A post no longer awaits your approval",
        NotificationKind.POST_APPROVED: "Your post was approved",
        NotificationKind.POST_REJECTED: "Your post was rejected",
        NotificationKind.POST_PUBLISHED: "Your post was published",
        NotificationKind.REPORT_CREATED: "A post was reported in a space you moderate",
        NotificationKind.OBJECTIVE_REPORT: "Where your objective stands",
    },
    Language.FR: {
        NotificationKind.OFFICIAL_POST: "Une nouvelle publication officielle",
        NotificationKind.ACKNOWLEDGEMENT_DUE: "À lire et à confirmer",
        NotificationKind.ACKNOWLEDGEMENT_REMINDER: "Rappel : confirmation de lecture attendue",
        NotificationKind.MENTION: "Vous avez été mentionné·e",
        NotificationKind.REPLY: "Une réponse à votre publication ou commentaire",
        NotificationKind.OFFICIAL_ANSWER: "Une réponse officielle dans votre discussion",
        NotificationKind.ENDORSEMENT: "Votre publication a été appuyée",
        NotificationKind.APPROVAL_REQUESTED: "Une publication officielle attend votre approbation",
        NotificationKind.SUBMISSION_WITHDRAWN: "Une publication n'attend plus votre approbation",
        NotificationKind.POST_APPROVED: "Votre publication a été approuvée",
        NotificationKind.POST_REJECTED: "Votre publication a été refusée",
        NotificationKind.POST_PUBLISHED: "Votre publication a été publiée",
        NotificationKind.REPORT_CREATED: "Publication signalée dans un espace que vous modérez",
        NotificationKind.OBJECTIVE_REPORT: "Où en est votre objectif",
    },
}
DIGEST_SUBJECT = {Language.EN: "Your Townhall digest", Language.FR: "Votre résumé Townhall"}


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


class Renderer:
    """Renders mails with links to the portal and the signed unsubscribe link."""

    def __init__(self, *, book: PreferenceBook, portal_url: str, public_url: str) -> None:
        self._book = book
        self._portal = portal_url.rstrip("/")
        self._public = public_url.rstrip("/")
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            keep_trailing_newline=True,
            # Templates ship with the code: not checked on disk again for every mail.
            auto_reload=False,
        )

    def unsubscribe_url(self, user_id: str, kind: str) -> str:
        query = urlencode(
            {"user": user_id, "kind": kind, "sig": self._book.unsubscribe_signature(user_id, kind)}
        )
        return f"{self._public}/v1/unsubscribe?{query}"

    def notice(self, profile: Profile, item: Notification) -> Rendered:
        kind = NotificationKind(item.kind)
        heading = HEADINGS[profile.language][kind]
        unsubscribe = self.unsubscribe_url(profile.user_id, kind.value)
        context = {
            "heading": heading,
            "title": item.title,
            "excerpt": item.excerpt,
            "link": f"{self._portal}{portal_path(item.kind, item.post_id)}",
            "preferences_link": f"{self._portal}/preferences",
            "unsubscribe_link": unsubscribe,
        }
        subject = f"{heading}: {item.title}" if item.title else heading
        return self._render("notice", profile.language, subject, context, unsubscribe)

    def digest(self, profile: Profile, items: list[Notification]) -> Rendered:
        headings = HEADINGS[profile.language]
        unsubscribe = self.unsubscribe_url(profile.user_id, DIGEST_LINK)
        context = {
            "items": [
                {
                    "heading": headings[NotificationKind(i.kind)],
                    "title": i.title,
                    "link": f"{self._portal}{portal_path(i.kind, i.post_id)}",
                }
                for i in items
            ],
            "inbox_link": f"{self._portal}/inbox",
            "preferences_link": f"{self._portal}/preferences",
            "unsubscribe_link": unsubscribe,
        }
        subject = DIGEST_SUBJECT[profile.language]
        return self._render("digest", profile.language, subject, context, unsubscribe)

    def _render(
        self,
        name: str,
        language: Language,
        subject: str,
        context: Mapping[str, object],
        unsubscribe: str,
    ) -> Rendered:
        text = self._env.get_template(f"{name}.{language.value}.txt").render(context)
        html = self._env.get_template(f"{name}.{language.value}.html").render(context)
        return Rendered(subject=subject[:300], text=text, html=html, unsubscribe_url=unsubscribe)
