"""Recording that the policy changed: one revision bump per unit of work."""

from __future__ import annotations

from sqlmodel import Session

from townhall_policy.revision import repository
from townhall_policy.timestamps import utcnow

# Set on a session whose transaction changed the policy, so that the code committing
# it can reload this instance's view at once (other instances notice by polling).
POLICY_CHANGED = "townhall_policy.changed"
_BUMPED_TO = "townhall_policy.bumped_to"


def record_change(session: Session) -> int:
    """Bump the revision once for this transaction, however many changes it holds."""
    bumped = session.info.get(_BUMPED_TO)
    if bumped is not None:
        return int(bumped)
    revision = repository.increment_revision(session, now=utcnow())
    session.info[_BUMPED_TO] = revision
    session.info[POLICY_CHANGED] = True
    return revision


def policy_changed(session: Session) -> bool:
    """True when this session's transaction changed the policy."""
    return bool(session.info.get(POLICY_CHANGED))
