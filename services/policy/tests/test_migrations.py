"""The migrations build exactly the tables the models describe, and carry the roles."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, select

from townhall_platform.db import make_engine, normalize_url, run_migrations
from townhall_policy.metadata import metadata
from townhall_policy.migrations import MIGRATIONS_DIR
from townhall_policy.roles.models import RolePermission


def test_migrations_match_the_models(database_url: str) -> None:
    run_migrations(database_url, MIGRATIONS_DIR)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    run_migrations(database_url, MIGRATIONS_DIR)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(database_url))
    command.downgrade(config, "base")
    engine = make_engine(database_url)
    try:
        assert not inspect(engine).has_table("grants")
    finally:
        engine.dispose()

    run_migrations(database_url, MIGRATIONS_DIR)

    engine = make_engine(database_url)
    try:
        assert inspect(engine).has_table("grants")
    finally:
        engine.dispose()


def test_role_permissions_are_data(database_url: str) -> None:
    run_migrations(database_url, MIGRATIONS_DIR)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(RolePermission)).all()
    finally:
        engine.dispose()
    allowed = {(p.role, p.scope, p.domain_class, p.action) for p in rows if p.effect == "allow"}
    denied = {(p.role, p.scope, p.domain_class, p.action) for p in rows if p.effect == "deny"}

    assert ("communicator", "org", "announcement-public", "publish.official") in allowed
    assert ("employee", "org", "community-public", "post.social") in allowed
    assert not any(role == "employee" and cls.endswith("restricted") for role, _, cls, _ in allowed)
    assert not any(
        action == "post.social" and cls.startswith("announcement") for _, _, cls, action in allowed
    )
    assert {a for r, _, _, a in allowed if r == "policy_admin"} == {"grants.manage", "read"}
    # Compliance officers read and audit everything and change nothing, anywhere.
    assert {r for r, _, _, _ in denied} == {"compliance_officer"}
    assert ("compliance_officer", "org", "org", "manage.space") in denied
    assert ("compliance_officer", "org", "community-restricted", "manage.members") in denied
    assert not {a for _, _, _, a in denied} & {"read", "audit.read"}
