"""Dependency aliases the routers take: the request's session, policy, settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from townhall_platform.db import session_scope

from .policy_gate import PolicyGate
from .settings import PublishingSettings


def _session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine) as session:
        yield session


def _policy_gate(request: Request) -> PolicyGate:
    gate: PolicyGate = request.app.state.policy_gate
    return gate


def _settings(request: Request) -> PublishingSettings:
    settings: PublishingSettings = request.app.state.settings
    return settings


# One session per request, committed once when the endpoint returns and *before* the
# response is sent (scope="function"): a failed commit answers 500, never a false 201.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
PolicyGateDep = Annotated[PolicyGate, Depends(_policy_gate)]
SettingsDep = Annotated[PublishingSettings, Depends(_settings)]
