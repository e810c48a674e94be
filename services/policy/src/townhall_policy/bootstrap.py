"""`townhall-policy bootstrap-admin`: the first policy administrator of a new installation.

Only an administrator can grant administration, so the first one is made from the
command line by whoever runs the database. It is done once: while any administrator is
active the command changes nothing, and it holds the migration lock so that replicas
running it together make one administrator.
"""

from __future__ import annotations

import getpass

from townhall_platform.db import make_engine, migration_lock, session_scope
from townhall_platform.errors import NotFound
from townhall_policy.audit.keys import install_keyring, load_keyring
from townhall_policy.directory.service import SubjectRecord, apply_record
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.directory.models import SubjectKind
from townhall_policy.provisioning.roles import (
    BootstrapOutcome,
    active_policy_admins,
    bootstrap_admin,
)
from townhall_policy.settings import PolicySettings


class UserMissing(NotFound):
    """The user is not in the directory and no name was given to create them with."""


def run_bootstrap(
    settings: PolicySettings,
    *,
    user: str,
    display_name: str | None,
    email: str | None,
    justification: str,
) -> BootstrapOutcome:
    # Who ran it, as the operating system knows them: the trail's actor for this grant.
    actor = f"bootstrap:{getpass.getuser()}"
    engine = make_engine(settings.database_url)
    try:
        with migration_lock(settings.database_url), session_scope(engine) as session:
            install_keyring(session, load_keyring(settings))
            existing = active_policy_admins(session)
            if existing:
                # Nothing at all is changed, the directory included.
                return BootstrapOutcome(created=False, admins=existing)
            if directory.get_subject(session, user) is None:
                if not display_name:
                    raise UserMissing(
                        f"{user!r} is not in the directory: give --display-name to create them."
                    )
                record = SubjectRecord(
                    id=user, kind=SubjectKind.USER, display_name=display_name, email=email
                )
                apply_record(session, record, actor=actor, justification=justification)
            return bootstrap_admin(
                session, subject_id=user, actor=actor, justification=justification
            )
    finally:
        engine.dispose()
