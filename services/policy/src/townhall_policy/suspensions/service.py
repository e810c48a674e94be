"""Suspending and lifting: deny rules that override allows, with history and audit events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action
from townhall_contracts.readers import Visibility
from townhall_platform.errors import PermissionDenied
from townhall_policy.audit.trail import record_event
from townhall_policy.decisions.service import check, permission_denied
from townhall_policy.directory.errors import InactiveSubject, NotAGroup, UnknownSubject
from townhall_policy.domains import repository as domains
from townhall_policy.domains.errors import UnknownDomain
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.holdings import duties
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.directory.models import SubjectKind
from townhall_policy.holdings.suspensions import repository
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.holdings.validity import check_period
from townhall_policy.suspensions.errors import (
    DuplicateSuspension,
    ReadSuspensionInSpace,
    SelfLift,
    SelfSuspension,
    SuspensionAlreadyLifted,
    SuspensionNotFound,
)
from townhall_policy.timestamps import utcnow


def authorize_suspension(snapshot: PolicySnapshot, *, actor: str, domain: str) -> None:
    """Policy admins suspend anywhere; whoever may `moderate` a space suspends there.

    What a role forbids (compliance officers change nothing) is the decisions' own.
    """
    admin = check(snapshot, subject=actor, action=Action.GRANTS_MANAGE, domain=ORG_DOMAIN)
    if admin.allowed:
        return
    moderate = None
    if domain != ORG_DOMAIN:
        moderate = check(snapshot, subject=actor, action=Action.MODERATE, domain=domain)
        if moderate.allowed:
            return
    # A refusal by a rule (a role's deny, a suspension) says why better than "needs".
    ruled = next((d for d in (moderate, admin) if d is not None and d.reason.rule), None)
    if ruled is not None:
        raise permission_denied(ruled)
    needs = (
        "needs role policy_admin in org"
        if domain == ORG_DOMAIN
        else f"needs role policy_admin in org, or a role allowing moderate in {domain}"
    )
    raise PermissionDenied(
        f"{actor} may not change suspensions in {domain}: {needs}",
        reason={**admin.reason.model_dump(mode="json"), "missing": needs},
        decision_id=admin.decision_id,
        policy_revision=admin.policy_revision,
    )


def suspend(
    session: Session,
    *,
    subject_id: str,
    domain: str,
    action: str | None,
    created_by: str,
    justification: str,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> Suspension:
    """Forbid `subject` `action` (every action when None) in `domain` (`org`: everywhere)."""
    if subject_id == created_by:
        raise SelfSuspension(f"{created_by} may not suspend themselves.")
    now = utcnow()
    starts = valid_from or now
    check_period(starts, valid_to, now=now, what="suspensions")
    _check_suspendable(session, subject_id=subject_id, domain=domain, action=action)
    _check_no_overlap(
        session, subject_id=subject_id, domain=domain, action=action, starts=starts, ends=valid_to
    )
    suspension = repository.save_suspension(
        session,
        Suspension(
            subject_id=subject_id,
            domain=domain,
            action=action,
            valid_from=starts,
            valid_to=valid_to,
            created_by=created_by,
            created_at=now,
            justification=justification,
        ),
    )
    record_event(
        session,
        actor=created_by,
        event_type="suspension.created",
        target=f"suspension:{suspension.id}",
        domain=domain,
        justification=justification,
        payload=_created_payload(suspension, starts=starts, ends=valid_to),
    )
    if domain == ORG_DOMAIN and action in (None, Action.GRANTS_MANAGE.value):
        duties.ensure_a_policy_admin_remains(
            session, change=f"suspending {subject_id}", at=max(starts, now)
        )
    return suspension


def _check_suspendable(
    session: Session, *, subject_id: str, domain: str, action: str | None
) -> None:
    """An active user, a registered domain, and no read suspension in one space."""
    subject = directory.get_subject(session, subject_id)
    if subject is None:
        raise UnknownSubject(f"No subject {subject_id!r} in the directory.")
    if subject.kind != SubjectKind.USER:
        raise NotAGroup(f"{subject_id!r} is a group: suspensions apply to users.")
    if not subject.active:
        raise InactiveSubject(f"Subject {subject_id!r} is deactivated: it is refused already.")
    registered = domains.get_domain(session, domain)
    if registered is None:
        raise UnknownDomain(f"Domain {domain!r} is not registered with policy.")
    if domain != ORG_DOMAIN and action in (None, Action.READ.value):
        raise ReadSuspensionInSpace(_read_suspension_refusal(subject_id, registered.visibility))


def _check_no_overlap(
    session: Session,
    *,
    subject_id: str,
    domain: str,
    action: str | None,
    starts: datetime,
    ends: datetime | None,
) -> None:
    for existing in repository.list_suspensions(session, subject_id=subject_id, domain=domain):
        overlaps = (existing.valid_to is None or existing.valid_to > starts) and (
            ends is None or existing.valid_from < ends
        )
        if existing.lifted_at is None and existing.action == action and overlaps:
            raise DuplicateSuspension(
                f"{subject_id} is already suspended from {action or 'everything'} in {domain} "
                f"over that period (suspension {existing.id}).",
                suspension_id=existing.id,
            )


def _created_payload(
    suspension: Suspension, *, starts: datetime, ends: datetime | None
) -> dict[str, str | None]:
    return {
        "suspension_id": suspension.id,
        "subject": suspension.subject_id,
        "domain": suspension.domain,
        "action": suspension.action,
        "valid_from": starts.isoformat(),
        "valid_to": ends.isoformat() if ends else None,
    }


def get_suspension(session: Session, suspension_id: str) -> Suspension:
    suspension = repository.get_suspension(session, suspension_id)
    if suspension is None:
        raise SuspensionNotFound(f"No suspension {suspension_id!r}.")
    return suspension


def lift(session: Session, *, suspension_id: str, lifted_by: str, justification: str) -> Suspension:
    """End a suspension now, keeping its row and recording who, when and why.

    Nobody lifts a suspension of themselves, whatever role they hold: someone else must.
    """
    suspension = get_suspension(session, suspension_id)
    if suspension.subject_id == lifted_by:
        raise SelfLift(
            f"{lifted_by} may not lift suspension {suspension_id}: it suspends them, and "
            "nobody lifts their own suspension; another moderator or a policy admin must.",
            suspension_id=suspension_id,
        )
    if suspension.lifted_at is not None:
        raise SuspensionAlreadyLifted(
            f"Suspension {suspension_id} was already lifted by {suspension.lifted_by}.",
            lifted_at=suspension.lifted_at.isoformat(),
        )
    suspension.lifted_at = utcnow()
    suspension.lifted_by = lifted_by
    suspension.lift_justification = justification
    repository.save_suspension(session, suspension)
    record_event(
        session,
        actor=lifted_by,
        event_type="suspension.lifted",
        target=f"suspension:{suspension.id}",
        domain=suspension.domain,
        justification=justification,
        payload={"suspension_id": suspension.id, "subject": suspension.subject_id},
    )
    return suspension


def list_suspensions(
    session: Session,
    *,
    subject_id: str | None = None,
    domain: str | None = None,
    active_at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Suspension]:
    return repository.list_suspensions(
        session,
        subject_id=subject_id,
        domain=domain,
        active_at=active_at,
        limit=limit,
        offset=offset,
    )


def _read_suspension_refusal(subject_id: str, visibility: str | None) -> str:
    """What to do instead of suspending reading in one space."""
    if visibility == Visibility.PUBLIC:
        instead = "every employee reads a public space through the company"
    else:
        instead = (
            "a restricted space is read by its members and by compliance officers, whom "
            "no suspension in one space can tell apart; to stop one member reading it, "
            "remove the membership"
        )
    return (
        f"Reading can be suspended in org only: {instead}. Suspend {subject_id} from read "
        "in org to stop all reading, or from post.social, comment or react in this space "
        "to stop taking part while still reading."
    )
