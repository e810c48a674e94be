"""Fixtures of the publishing tests.

Policy is another process: it is replaced at that boundary only, by a fake behind
`httpx.MockTransport` handed to the typed client. Everything else (the app, its database
on SQLite and PostgreSQL, the migrations, the relay, the NATS server it publishes to) is
real. The
fake policy decides from the role-permission rows policy's own migrations write, so
what a role may do is written once, in policy (`test_fake_policy.py` holds them equal).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from fastapi import FastAPI
from nats.js.errors import NotFoundError
from sqlalchemy import text
from sqlalchemy.engine import Engine

from townhall_contracts.demo import GROUPS, SPACES, USERS
from townhall_contracts.events import STREAM, Event
from townhall_platform.auth import TokenIssuer
from townhall_platform.bus import Bus
from townhall_platform.bus.testing import NatsServer
from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port
from townhall_policy.migrations import MIGRATIONS_DIR as POLICY_MIGRATIONS
from townhall_publishing.app import create_app
from townhall_publishing.cli import MIGRATIONS
from townhall_publishing.settings import PublishingSettings
from townhall_publishing.spaces.models import Space
from townhall_publishing.spaces.repository import SpaceRepository

POLICY_URL = "http://policy.test"
SEARCH_URL = "http://search.test"
NO_NATS = "nats://127.0.0.1:9"
POLICY_REVISION = 42
SERVICE_AUDIENCE = "townhall-internal"

ORG = "org"
SPACE = "space:"
ALLOW, DENY = "allow", "deny"

_USERS = {user.id: user for user in USERS}

# (role, scope, domain class, action, effect): one row of policy's `role_permissions`.
PermissionRow = tuple[str, str, str, str, str]


def _problem(status: int, detail: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": "about:blank", "title": detail, "status": status, "detail": detail},
        headers={"content-type": "application/problem+json"},
    )


def _service_caller(request: httpx.Request) -> str | None:
    """The service a request's bearer token names, if it is a service token."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    claims = jwt.decode(token, options={"verify_signature": False})
    if claims.get("aud") != SERVICE_AUDIENCE:
        return None
    return str(claims.get("sub"))


@dataclass(frozen=True)
class RolePermissions:
    """Policy's `role_permissions` rows: what a role may (allow) or may never (deny) do.

    A row's scope says where the role is held: `org` (a grant in `org`, applying in every
    domain) or `space` (a grant in the space itself). Its domain class is `org` or a
    space's `<kind>-<visibility>`.
    """

    rows: frozenset[PermissionRow]

    @classmethod
    def migrated(cls, url: str) -> RolePermissions:
        """The rows as policy's own migrations leave them in a new database at `url`."""
        run_migrations(url, POLICY_MIGRATIONS)
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    text("SELECT role, scope, domain_class, action, effect FROM role_permissions")
                )
                return cls(frozenset((r, s, c, a, e) for r, s, c, a, e in found))
        finally:
            engine.dispose()

    def reads_public_spaces(self, org_role: str) -> bool:
        """Whether holding `org_role` in org allows reading every public space."""
        return all(
            (org_role, ORG, domain_class, "read", ALLOW) in self.rows
            for domain_class in ("community-public", "announcement-public")
        )

    def allows(self, held: set[tuple[str, str]], domain_class: str, action: str) -> bool:
        """As policy decides: a deny of any role held refuses whatever else allows; then
        any role held that allows is enough. `held` is (role, scope) pairs."""
        if any((role, scope, domain_class, action, DENY) in self.rows for role, scope in held):
            return False
        return any((role, scope, domain_class, action, ALLOW) in self.rows for role, scope in held)


class FakePolicy:
    """The policy service at its HTTP boundary, answering from the demo directory.

    Decisions follow `permissions` (policy's own rows) over the roles each demo user
    holds: its org roles in `org`, and the roles of `space_roles` in a space (`members`
    and `owners` are its `member` and `owner` entries; a relayed grant adds to it).
    Suspensions and roles held through groups are not modelled. `overrides` forces an
    answer.
    """

    def __init__(self, permissions: RolePermissions) -> None:
        self.available = True
        self.permissions = permissions
        self.members: dict[str, set[str]] = {space.id: set(space.members) for space in SPACES}
        self.spaces: dict[str, tuple[str, str]] = {
            space.id: (space.kind, space.visibility) for space in SPACES
        }
        self.owners: dict[str, set[str]] = {space.id: {space.owner} for space in SPACES}
        # Space role -> space -> the subjects holding it there.
        self.space_roles: dict[str, dict[str, set[str]]] = {
            "member": self.members,
            "owner": self.owners,
        }
        self.overrides: dict[tuple[str, str, str], bool] = {}
        self.decisions: list[dict[str, str]] = []
        self.registered: dict[str, dict[str, Any]] = {}
        self.grants: list[dict[str, Any]] = []
        self.revocations: list[dict[str, Any]] = []
        # A problem to answer every relayed grant with (policy refusing the human's grant).
        self.grant_refusal: dict[str, Any] | None = None
        self.callers: list[str | None] = []
        # Directory groups: id -> (type, members); the demo's are departments.
        self.groups: dict[str, tuple[str, tuple[str, ...]]] = {
            group: ("department", members) for group, members in GROUPS.items()
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.callers.append(_service_caller(request))
        if not self.available:
            raise httpx.ConnectError("policy is down", request=request)
        if request.method == "GET" and request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok", "service": "policy"})
        if _service_caller(request) != "service:publishing":
            return _problem(401, "publishing must call with its service token")
        path = request.url.path
        if request.method == "GET" and path == "/v1/revision":
            return httpx.Response(200, json={"policy_revision": POLICY_REVISION, "details": {}})
        if request.method == "POST" and path == "/v1/decisions":
            return self._decide(json.loads(request.content))
        if request.method == "POST" and path == "/v1/decisions/batch":
            answers = [
                json.loads(self._decide(body).content)
                for body in json.loads(request.content)["decisions"]
            ]
            return httpx.Response(
                200, json={"policy_revision": POLICY_REVISION, "decisions": answers}
            )
        principals = re.fullmatch(r"/v1/subjects/([^/]+)/principals", path)
        if request.method == "GET" and principals:
            return self._principals(principals.group(1))
        if request.method == "GET" and path == "/internal/v1/groups":
            return self._groups(request.url.params.get("type"))
        if request.method == "POST" and path == "/internal/v1/audiences":
            return self._audience(json.loads(request.content)["principals"])
        domain = re.fullmatch(r"/internal/v1/domains/space:([^/]+)", path)
        if request.method == "PUT" and domain:
            body = json.loads(request.content)
            self.registered[domain.group(1)] = body
            self.spaces[domain.group(1)] = (body["kind"], body["visibility"])
            return httpx.Response(200, json={"domain": f"space:{domain.group(1)}", **body})
        if request.method == "POST" and path == "/internal/v1/grants":
            if self.grant_refusal is not None:
                return httpx.Response(
                    self.grant_refusal["status"],
                    json=self.grant_refusal,
                    headers={"content-type": "application/problem+json"},
                )
            grant = json.loads(request.content)
            if grant in self.grants:
                # Like policy: an identical grant in force is answered, not duplicated.
                return httpx.Response(200, json={"id": "existing", **grant})
            self.grants.append(grant)
            space = grant["domain"].removeprefix("space:")
            holders = self.space_roles.setdefault(grant["role"], {})
            holders.setdefault(space, set()).add(grant["subject"])
            return httpx.Response(201, json={"id": uuid.uuid4().hex, **grant})
        if request.method == "POST" and path == "/internal/v1/grants/revocations":
            return self._revoke(json.loads(request.content))
        return _problem(404, f"no route {request.method} {path}")

    def _revoke(self, body: dict[str, Any]) -> httpx.Response:
        """Like policy: the grants in force go; 404 when none is held directly."""
        self.revocations.append(body)
        holders = self.space_roles.get(body["role"], {})
        space = body["domain"].removeprefix("space:")
        if body["subject"] not in holders.get(space, set()):
            return _problem(404, f"{body['subject']} holds no {body['role']} in {space}")
        holders[space].discard(body["subject"])
        return httpx.Response(200, json={"grants": []})

    def _allowed(self, subject: str, action: str, domain: str) -> bool:
        forced = self.overrides.get((subject, action, domain))
        if forced is not None:
            return forced
        user = _USERS.get(subject)
        if user is None:
            return False  # policy: no such subject in the directory
        held = {(role, ORG) for role in user.org_roles}
        if domain == ORG:
            return self.permissions.allows(held, ORG, action)
        space = domain.removeprefix(SPACE)
        if not domain.startswith(SPACE) or space not in self.spaces:
            return False  # policy: an unknown domain
        held |= {
            (role, "space")
            for role, holders in self.space_roles.items()
            if subject in holders.get(space, ())
        }
        kind, visibility = self.spaces[space]
        return self.permissions.allows(held, f"{kind}-{visibility}", action)

    def _decide(self, body: dict[str, str]) -> httpx.Response:
        self.decisions.append(body)
        subject, action, domain = body["subject"], body["action"], body["domain"]
        allowed = self._allowed(subject, action, domain)
        reason: dict[str, Any] = {
            "summary": (
                f"{subject} may {action} in {domain}"
                if allowed
                else f"{subject} holds no role allowing {action} in {domain}"
            ),
            "rule": f"{action}@{domain}" if allowed else None,
            "role_path": [f"{subject} -> employee"] if allowed else [],
            "grant": None,
            "missing": None if allowed else f"{action} in {domain}",
        }
        return httpx.Response(
            200,
            json={
                "allowed": allowed,
                "decision_id": f"dec-{uuid.uuid4().hex[:12]}",
                "policy_revision": POLICY_REVISION,
                "reason": reason,
                "subject": subject,
                "action": action,
                "domain": domain,
            },
        )

    def _principals(self, subject: str) -> httpx.Response:
        user = _USERS.get(subject)
        if user is None:
            return _problem(404, f"unknown subject {subject}")
        tokens = {f"user:{subject}"}
        # Like policy: `org` through an org role that reads every public space; a space's
        # token through any role held there; its owners and moderators moderate it.
        if any(self.permissions.reads_public_spaces(role) for role in user.org_roles):
            tokens.add("org")
        for role, holders in self.space_roles.items():
            for space, subjects in holders.items():
                if subject in subjects:
                    tokens.add(f"space:{space}")
                    if role in ("owner", "moderator"):
                        tokens.add(f"moderator:space:{space}")
        tokens |= {
            f"group:{group}" for group, (_, members) in self.groups.items() if subject in members
        }
        if "moderator" in user.org_roles:
            tokens.add("moderator:org")
        if "compliance_officer" in user.org_roles:
            tokens.add("auditor:org")
        return httpx.Response(
            200,
            json={
                "subject": subject,
                "active": True,
                "principals": sorted(tokens),
                "policy_revision": POLICY_REVISION,
            },
        )

    def _audience(self, readers: list[str]) -> httpx.Response:
        holders = [
            user.id
            for user in USERS
            if set(readers) & set(json.loads(self._principals(user.id).content)["principals"])
        ]
        return httpx.Response(
            200,
            json={
                "principals": sorted(readers),
                "subjects": sorted(holders),
                "policy_revision": POLICY_REVISION,
            },
        )

    def _groups(self, group_type: str | None) -> httpx.Response:
        groups = [
            {"id": group, "display_name": group.capitalize(), "group_type": kind}
            for group, (kind, _) in sorted(self.groups.items())
            if group_type is None or kind == group_type
        ]
        return httpx.Response(200, json={"groups": groups})

    def decision_count(self) -> int:
        return len(self.decisions)


class StreamLog:
    """What the events stream on a real NATS holds, read the way a consumer reads it."""

    def __init__(self, server: NatsServer) -> None:
        self.server = server

    def events(self) -> list[Event]:
        """Every event stored, in stream order (none when the stream is not there yet)."""

        async def read() -> list[Event]:
            bus = Bus(self.server.url, name="test-reader")
            await bus.connect()
            try:
                try:
                    info = await bus.js.stream_info(STREAM)
                except NotFoundError:
                    return []
                first, last = info.state.first_seq, info.state.last_seq
                stored = [await bus.js.get_msg(STREAM, seq) for seq in range(first, last + 1)]
                return [Event.model_validate_json(raw.data or b"") for raw in stored]
            finally:
                await bus.close()

        # Tests call it from their own event loop: the read gets a loop of its own.
        with ThreadPoolExecutor(1) as reader:
            return reader.submit(asyncio.run, read()).result()

    def event_ids(self) -> list[int]:
        return [event.id for event in self.events()]


class Database:
    """Direct looks at the database under test, to check what was (not) written."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def count(self, table: str, where: str = "1=1", **params: Any) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    text(f"SELECT count(*) FROM {table} WHERE {where}"), params
                ).scalar_one()
            )

    def counts(self) -> dict[str, int]:
        return {
            table: self.count(table)
            for table in (
                "spaces",
                "posts",
                "post_readers",
                "comments",
                "outbox",
                "content_versions",
                "post_steps",
                "reactions",
                "acknowledgements",
                "reports",
                "moderation_actions",
            )
        }

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]

    @staticmethod
    def json(value: Any) -> Any:
        """A JSON column read with plain SQL: text on SQLite, decoded on PostgreSQL."""
        return json.loads(value) if isinstance(value, str) else value

    @classmethod
    def document(cls, data: Any) -> Any:
        """The search document an outbox row's `data` carries (none for a delete)."""
        return cls.json(data).get("document")


@pytest.fixture(scope="module")
def migrated_url(database_url: str) -> str:
    """The module's database, upgraded with the service's own migrations."""
    run_migrations(database_url, MIGRATIONS)
    return database_url


@pytest.fixture(scope="module")
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    with session_scope(engine) as session:
        spaces = SpaceRepository(session)
        for demo in SPACES:
            if spaces.get(demo.id) is None:
                spaces.add(
                    Space(
                        id=demo.id,
                        name=demo.name,
                        kind=demo.kind,
                        visibility=demo.visibility,
                        created_by=demo.owner,
                    )
                )
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Database:
    return Database(engine)


@pytest.fixture(scope="session")
def role_permissions(tmp_path_factory: pytest.TempPathFactory) -> RolePermissions:
    """Policy's role-permission rows, read once from a database its migrations made."""
    return RolePermissions.migrated(
        f"sqlite:///{tmp_path_factory.mktemp('policy-rules') / 'policy.db'}"
    )


@pytest.fixture
def policy(role_permissions: RolePermissions) -> FakePolicy:
    return FakePolicy(role_permissions)


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A real `nats-server -js` of the test's own, on a free port."""
    with NatsServer(tmp_path / "nats") as server:
        yield server


@pytest.fixture
def stream(nats: NatsServer) -> StreamLog:
    return StreamLog(nats)


@pytest.fixture
def settings(migrated_url: str, signing_key_file: Path, tmp_path: Path) -> PublishingSettings:
    return PublishingSettings(
        environment="test",
        database_url=migrated_url,
        media_dir=tmp_path / "media",
        signing_key_file=signing_key_file,
        policy_url=POLICY_URL,
        search_url=SEARCH_URL,
        # Nothing listens there: a test that relays gives the URL of its own server.
        nats_url=NO_NATS,
        relay_enabled=False,
        scheduler_enabled=False,
        # The fake answers at one fixed revision while tests change its answers.
        policy_cache_seconds=0,
        # Objectives' values move at once with what a test just did (no kept live counts).
        objectives_live_seconds=0,
    )


@pytest.fixture
def make_app(policy: FakePolicy, engine: Engine) -> Callable[[PublishingSettings], FastAPI]:
    """Build the app on the fakes (the `engine` fixture makes sure the demo spaces exist)."""

    def build(settings: PublishingSettings) -> FastAPI:
        return create_app(
            settings,
            policy_transport=httpx.MockTransport(policy.handle),
        )

    return build


@pytest.fixture
def app(make_app: Callable[[PublishingSettings], FastAPI], settings: PublishingSettings) -> FastAPI:
    return make_app(settings)


@asynccontextmanager
async def serving(
    app: FastAPI, *, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it over ASGI."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://publishing.test") as c:
            yield c


@pytest.fixture
def serve() -> Callable[..., Any]:
    """`serving(app, raise_app_exceptions=...)`, for tests that build their own app."""
    return serving


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(app: FastAPI, anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as client:
        yield client


@pytest.fixture
def auth(token_issuer: TokenIssuer) -> Callable[[str], dict[str, str]]:
    """Authorization headers of a demo user."""

    def headers(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.user_token(user)}"}

    return headers


OfficialPublisher = Callable[..., Any]


async def publish_official_post(
    client: httpx.AsyncClient,
    headers: Callable[[str], dict[str, str]],
    *,
    author: str = "claire",
    approver: str = "marc",
    publish_at: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Draft, submit, approve (by someone else) and publish an official post; its last state."""
    body = {"space_id": "general", "kind": "official", "title": "Annonce", "body": "Texte"}
    body.update(fields)
    created = await client.post("/v1/posts", json=body, headers=headers(author))
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("submit", author, None),
        ("approve", approver, None),
        ("publish", author, {"at": publish_at} if publish_at else None),
    ]
    answer = created
    for step, actor, payload in steps:
        answer = await client.post(
            f"/v1/posts/{post_id}/{step}", json=payload, headers=headers(actor)
        )
        assert answer.status_code == 200, f"{step}: {answer.text}"
    return dict(answer.json())


@pytest.fixture
def official(client: httpx.AsyncClient, auth: Callable[[str], dict[str, str]]) -> OfficialPublisher:
    """`await official(author=..., approver=..., **post fields)`: a published official post."""

    async def run(**kwargs: Any) -> dict[str, Any]:
        return await publish_official_post(client, auth, **kwargs)

    return run


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test runner owns the signals
        pass


@pytest.fixture(scope="module")
def real_policy_url(
    tmp_path_factory: pytest.TempPathFactory, signing_key_file: Path
) -> Iterator[str]:
    """The real policy service, migrated and seeded with the demo directory, served by
    uvicorn on a loopback port in a thread of this process (its own SQLite database)."""
    from townhall_policy.app import create_app as create_policy_app
    from townhall_policy.migrations import MIGRATIONS_DIR
    from townhall_policy.seed import seed_demo as seed_policy
    from townhall_policy.settings import PolicySettings

    url = f"sqlite:///{tmp_path_factory.mktemp('policy') / 'policy.db'}"
    run_migrations(url, MIGRATIONS_DIR)
    policy_engine = make_engine(url)
    with session_scope(policy_engine) as session:
        seed_policy(session)
    policy_engine.dispose()
    port = free_port()
    settings = PolicySettings(
        environment="test",
        database_url=url,
        signing_key_file=signing_key_file,
        port=port,
        revision_poll_seconds=0.2,
    )
    server = _ThreadedServer(
        uvicorn.Config(create_policy_app(settings), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(
                f"the in-thread policy server did not start listening on port {port} "
                f"within {STARTUP_WAIT_SECONDS:.0f} s"
            )
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def real_settings(
    migrated_url: str, signing_key_file: Path, real_policy_url: str, tmp_path: Path
) -> PublishingSettings:
    return PublishingSettings(
        environment="test",
        database_url=migrated_url,
        media_dir=tmp_path / "media",
        signing_key_file=signing_key_file,
        policy_url=real_policy_url,
        search_url=SEARCH_URL,
        nats_url=NO_NATS,
        relay_enabled=False,
        scheduler_enabled=False,
        # The cache at work, confirming the revision on every request (no waiting).
        policy_revision_check_seconds=0,
    )


@pytest.fixture
async def real_client(
    real_settings: PublishingSettings, engine: Engine, anyio_backend: str
) -> AsyncIterator[httpx.AsyncClient]:
    """Publishing in front of the real policy service."""
    app = create_app(real_settings)
    async with serving(app) as client:
        yield client
