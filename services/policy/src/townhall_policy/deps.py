"""Dependencies of the policy endpoints, as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Protocol

import structlog
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_platform.db import session_scope
from townhall_platform.errors import TownhallError
from townhall_policy.audit.keys import AuditKeyring, install_keyring
from townhall_policy.decision_log.recorder import DecisionRecorder
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.revision.service import policy_changed
from townhall_policy.settings import PolicySettings

log = structlog.get_logger("townhall.policy.deps")


class Policy(Protocol):
    """What the endpoints need of the policy engine (`engine.PolicyEngine`).

    A protocol, so that the domain packages' routers do not import the engine, which
    reads every domain's tables.
    """

    @property
    def recorder(self) -> DecisionRecorder: ...

    def current(self) -> PolicySnapshot: ...

    def refresh_if_stale(self) -> PolicySnapshot: ...

    def update(self) -> PolicySnapshot: ...


async def get_settings(request: Request) -> PolicySettings:
    settings: PolicySettings = request.app.state.settings
    return settings


async def get_audit_keyring(request: Request) -> AuditKeyring:
    keyring: AuditKeyring = request.app.state.audit_keyring
    return keyring


async def get_policy_engine(request: Request) -> Policy:
    # async: no hop to the thread pool for a dependency that only reads app state.
    engine: Policy = request.app.state.policy_engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed once when the endpoint returns.

    A transaction that changed the policy is followed by an update of this instance's
    view, so the caller's next request already sees its change.
    """
    database: Engine = request.app.state.database
    engine: Policy = request.app.state.policy_engine
    with session_scope(database) as session:
        install_keyring(session, request.app.state.audit_keyring)
        yield session
    if policy_changed(session):
        try:
            engine.update()
        except TownhallError as exc:
            # The change is committed; the watcher will load it as soon as it can.
            log.warning("policy_reload_after_change_failed", error=str(exc))


SettingsDep = Annotated[PolicySettings, Depends(get_settings)]
AuditKeyringDep = Annotated[AuditKeyring, Depends(get_audit_keyring)]
PolicyEngineDep = Annotated[Policy, Depends(get_policy_engine)]
# scope="function": commit before the response is sent, so a 2xx means committed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
