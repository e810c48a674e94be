"""Rendering, the signed-in user, CSRF checks and the errors pages turn into."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Form, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from townhall_clients import (
    NotificationsClient,
    PublishingClient,
    SearchClient,
    ServiceUnavailable,
)
from townhall_clients.policy_audit import PolicyAuditClient

from .forms import FormState
from .i18n import LANGUAGE_COOKIE, is_key, message, negotiate, plural
from .navigation import Navigation
from .people import Directory, PageNames, page_names
from .session import CSRF_FIELD, Session, SessionCodec
from .settings import PortalSettings
from .static_files import static_url
from .templating import TEMPLATES, templates_for
from .times import TIME_ZONE_COOKIE, TIME_ZONE_FIELD, when, zone_city, zone_of


def published_html(fragment: str) -> Markup:
    """HTML made by publishing's Markdown renderer (a `body_html`, or a preview made with
    the same renderer): sanitized there by an allow-list, so it is shown as it came."""
    return Markup(fragment or "")


def highlight(fragment: str) -> Markup:
    """A search snippet with only its `<b>` marks kept, whatever else it contains."""
    text = escape(html.unescape(fragment))
    return Markup(str(text).replace("&lt;b&gt;", "<mark>").replace("&lt;/b&gt;", "</mark>"))


def instant(value: datetime | str | None) -> str:
    """A time as the APIs write it (ISO 8601, `Z` for UTC)."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value or ""


TEMPLATES.env.globals["static_url"] = static_url
TEMPLATES.env.filters["published_html"] = published_html
TEMPLATES.env.filters["instant"] = instant
TEMPLATES.env.filters["highlight"] = highlight


class SignInRequired(Exception):
    """No valid session: go to sign-in, then come back to `next_path`."""

    def __init__(self, next_path: str, *, expired: bool) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


class CsrfRefused(Exception):
    """A form came without the browser's CSRF token, or with a forged one."""


@dataclass
class Clients:
    """The typed clients of the three APIs, shared by every request."""

    publishing: PublishingClient
    search: SearchClient
    policy: PolicyAuditClient
    # None when the notifications service is not configured.
    notifications: NotificationsClient | None = None

    def close(self) -> None:
        self.publishing.close()
        self.search.close()
        self.policy.close()
        if self.notifications is not None:
            self.notifications.close()


@dataclass
class Viewer:
    """The signed-in user of a page, with what the navigation may offer them now."""

    session: Session
    capabilities: frozenset[str] = field(default_factory=frozenset)

    @property
    def subject(self) -> str:
        return self.session.subject

    @property
    def token(self) -> str:
        return self.session.token


def codec(request: Request) -> SessionCodec:
    return request.app.state.sessions  # type: ignore[no-any-return]


def navigation(request: Request) -> Navigation:
    return request.app.state.navigation  # type: ignore[no-any-return]


def clients(request: Request) -> Clients:
    return request.app.state.clients  # type: ignore[no-any-return]


def settings_of(request: Request) -> PortalSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def asked_path(request: Request) -> str:
    """The page asked for, to come back to after signing in (a local path only)."""
    if request.method == "GET":
        path = request.url.path
        return f"{path}?{request.url.query}" if request.url.query else path
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    if referer.startswith(base):
        return "/" + referer[len(base) :]
    return "/"


def safe_next(value: str | None) -> str:
    """Only local paths: never send someone elsewhere after signing in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def sign_in_url(next_path: str, *, expired: bool = False) -> str:
    params = {"next": next_path}
    if expired:
        params["expired"] = "1"
    return "/sign-in?" + urlencode(params, quote_via=quote)


def current_viewer(request: Request) -> Viewer:
    """The signed-in user, or `SignInRequired` (remembering the page asked for)."""
    sessions = codec(request)
    session = sessions.load(request)
    if session is None:
        raise SignInRequired(asked_path(request), expired=sessions.had_session(request))
    capabilities = navigation(request).capabilities(subject=session.subject, token=session.token)
    return Viewer(session=session, capabilities=capabilities)


def check_csrf(
    request: Request, csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None
) -> None:
    """Every form carries the browser's CSRF token; refuse it otherwise."""
    if not codec(request).csrf_valid(request, csrf_token):
        raise CsrfRefused()


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
CsrfChecked = Annotated[None, Depends(check_csrf)]
ClientsDep = Annotated[Clients, Depends(clients)]


def time_zone(request: Request, sent: str | None = None) -> ZoneInfo:
    """The zone a form was typed in (`sent`), else the browser's, else the default."""
    default = settings_of(request).default_time_zone
    return zone_of(sent or request.cookies.get(TIME_ZONE_COOKIE), default)


def _names(request: Request, viewer: Viewer | None, context: dict[str, Any]) -> PageNames:
    if viewer is None:
        return PageNames()
    directory: Directory = request.app.state.directory
    return page_names(
        context, directory=directory, publishing=clients(request).publishing, token=viewer.token
    )


def named_value(lang: str, prefix: str, value: str | None) -> str:
    """A machine word (an event type, an outcome) in words when the catalogue has them,
    else as it came."""
    if not value:
        return ""
    return message(lang, prefix + value) if is_key(prefix + value) else value


def role_name(lang: str, role: str | None, *, with_id: bool = False) -> str:
    """A role (policy's `Role` id) in words; with its id beside the name where a compliance
    officer matches it against exports and policy's reasons."""
    name = named_value(lang, "role.", role)
    return f"{name} ({role})" if with_id and role and name != role else name


def audience_list(names: PageNames, lang: str, groups: list[str]) -> str:
    """Each group of an audience by its name and how many people it reaches."""
    parts = []
    for group in groups:
        reach = names.reach(group)
        if reach is None:
            parts.append(message(lang, "audience.unknown", name=group))
        else:
            parts.append(plural(lang, "audience.members", reach, name=names.who(group)))
    return ", ".join(parts)


def language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"), request.cookies.get(LANGUAGE_COOKIE))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    viewer: Viewer | None = None,
) -> Response:
    """Render a page with what every page needs (language, user, CSRF token)."""
    lang = language(request)
    sessions = codec(request)
    if viewer is None:
        try:
            session = sessions.load(request)
        except ServiceUnavailable:
            session = None  # the page says what is down; it is shown to nobody in particular
        # Error pages use what the navigation last knew, without asking policy again.
        viewer = (
            Viewer(session, navigation(request).remembered(session.subject)) if session else None
        )
    zone = time_zone(request)
    names = _names(request, viewer, context or {})
    full = {
        "request": request,
        "who": names.who,
        "who_id": names.who_with_id,
        "named": lambda prefix, value: named_value(lang, prefix, value),
        "role": lambda value: role_name(lang, value),
        "role_id": lambda value: role_name(lang, value, with_id=True),
        "space_name": names.space_name,
        "reach": names.reach,
        "audience_list": lambda groups: audience_list(names, lang, groups),
        "when": lambda value: when(value, lang, zone),
        "zone": zone,
        "zone_city": zone_city(zone, lang),
        "tz_field": TIME_ZONE_FIELD,
        "lang": lang,
        "viewer": viewer,
        "csrf_field": CSRF_FIELD,
        "csrf_token": sessions.csrf_token(request),
        "current_path": asked_path(request) if request.method == "GET" else request.url.path,
        "settings": settings_of(request),
        **(context or {}),
    }
    response = templates_for(lang).TemplateResponse(
        request, template, full, status_code=status_code
    )
    sessions.remember_csrf_nonce(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


def render_form(
    request: Request, template: str, form: FormState, context: dict[str, Any], *, viewer: Viewer
) -> Response:
    """A page with its form: what was typed, each field's error, the refusal, and the
    status they call for (422 when a refused form comes back)."""
    return render(
        request,
        template,
        {**form.context(), **context},
        viewer=viewer,
        status_code=form.status_code,
    )


def refused_page(request: Request, viewer: Viewer, plain: str) -> Response:
    """A page the user may not use, refused before they type anything."""
    context = {"message_key": "error.refused", "plain": plain}
    return render(request, "error.html", context, viewer=viewer, status_code=403)
