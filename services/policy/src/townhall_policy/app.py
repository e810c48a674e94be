"""The policy service's app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from townhall_platform.app import create_app as create_service_app
from townhall_platform.db import database_ready, make_engine
from townhall_policy.audiences.router import router as audiences_router
from townhall_policy.audit.keys import load_keyring
from townhall_policy.audit.scheduler import CheckpointScheduler
from townhall_policy.audit.trail import key_trail
from townhall_policy.compliance.router import router as audit_router
from townhall_policy.decisions.router import internal_router as internal_decisions_router
from townhall_policy.decisions.router import router as decisions_router
from townhall_policy.directory.router import router as directory_router
from townhall_policy.domains.router import router as domains_router
from townhall_policy.engine import PolicyEngine
from townhall_policy.engine.router import router as revision_router
from townhall_policy.grants.router import internal_router as internal_grants_router
from townhall_policy.grants.router import router as grants_router
from townhall_policy.names.router import router as names_router
from townhall_policy.oauth.router import router as oauth_router
from townhall_policy.oauth.service import ServiceTokenIssuer
from townhall_policy.people.limiter import SearchLimiter
from townhall_policy.people.router import router as people_router
from townhall_policy.principals.router import router as principals_router
from townhall_policy.provisioning.router import router as provisioning_router
from townhall_policy.provisioning.scim.errors import install_scim_errors
from townhall_policy.provisioning.scim.protocol_router import router as scim_protocol_router
from townhall_policy.provisioning.scim.router import router as scim_router
from townhall_policy.reviews.router import router as reviews_router
from townhall_policy.settings import PolicySettings
from townhall_policy.suspensions.router import router as suspensions_router
from townhall_policy.timestamps import utcnow

DESCRIPTION = """\
Decides who may do what in Townhall, and explains why. Owns the directory of subjects
and groups, the role definitions, and the grants (who holds which role in which domain,
granted by whom, when and why; revocation keeps history). Errors are RFC 9457
`application/problem+json`.
"""

ROUTERS = [
    decisions_router,
    internal_decisions_router,
    principals_router,
    revision_router,
    grants_router,
    internal_grants_router,
    domains_router,
    audiences_router,
    suspensions_router,
    audit_router,
    reviews_router,
    names_router,
    directory_router,
    provisioning_router,
    scim_router,
    people_router,
    oauth_router,
    # Last: its catch-all answers SCIM errors for what no other route under /scim/v2 takes.
    scim_protocol_router,
]


def create_app(
    settings: PolicySettings | None = None, *, clock: Callable[[], datetime] = utcnow
) -> FastAPI:
    """Build the policy service; the policy is loaded and watched while the app runs.

    `clock` is the time decisions are made at (when time-bounded grants and suspensions
    start and end); tests give one they move, so nothing waits on the wall clock.
    """
    settings = settings or PolicySettings()
    database = make_engine(settings.database_url)
    policy_engine = PolicyEngine(database, poll_seconds=settings.revision_poll_seconds, clock=clock)
    keyring = load_keyring(settings)
    checkpoints = CheckpointScheduler(
        database,
        keyring,
        settings.resolved_audit_checkpoint_dir,
        interval=settings.audit_checkpoint_interval_seconds,
    )
    policy_engine.workers.add(checkpoints.worker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        key_trail(database, keyring)
        checkpoints.checkpoint_at_start()
        policy_engine.start()  # starts the workers, the checkpoint schedule among them
        try:
            yield
        finally:
            policy_engine.stop()
            database.dispose()

    app = create_service_app(
        name="policy",
        settings=settings,
        routers=ROUTERS,
        readiness={
            "database": lambda: database_ready(database),
            "policy": policy_engine.ready,
            "workers": policy_engine.workers.readiness,
        },
        lifespan=lifespan,
        description=DESCRIPTION,
        typeahead_paths=("/v1/directory/people",),
    )
    install_scim_errors(app)
    policy_engine.workers.register_metrics(app.state.registry)
    app.state.database = database
    app.state.policy_engine = policy_engine
    app.state.audit_keyring = keyring
    app.state.audit_checkpoints = checkpoints
    app.state.oauth_issuer = issuer = ServiceTokenIssuer(settings)
    if settings.oauth_issuer and settings.oauth_issuer != settings.jwt_issuer:
        app.state.identity.verifier.trust_local_service_issuer(issuer.issuer, issuer.public_key)
    app.state.people_limiter = SearchLimiter(
        burst=settings.people_search_burst, per_second=settings.people_search_per_second
    )
    return app
