"""Deciding and explaining. Every answer names the rule, the role path and the grant.

A refusal names the closest missing permission ("needs role communicator in org").
Decisions on official actions and every refusal are logged.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from townhall_contracts.policy import (
    ORG_DOMAIN,
    Action,
    Decision,
    DecisionBatch,
    DecisionRequest,
    Reason,
)
from townhall_platform.errors import Forbidden, PermissionDenied
from townhall_policy.decision_log.recorder import DecisionSink
from townhall_policy.decisions.ids import new_decision_id
from townhall_policy.enforcement.entries import DomainEntry, Match, SubjectEntry, SuspensionEntry
from townhall_policy.enforcement.snapshot import PolicySnapshot

log = structlog.get_logger("townhall.policy.decisions")

OFFICIAL_SUFFIX = ".official"


def decide(
    snapshot: PolicySnapshot,
    request: DecisionRequest,
    *,
    requested_by: str,
    recorder: DecisionSink | None = None,
    conceal_unreadable: bool = False,
) -> Decision:
    """Decide one request on one snapshot, with its explanation.

    The snapshot's indexes decide (casbin is only the reference the differential tests
    compare them with). With `conceal_unreadable` (a user asking about themselves), a
    space the subject holds no role to read is answered as an unknown domain: the answer
    does not tell a restricted space from a missing one.
    """
    subject = snapshot.subjects.get(request.subject)
    action = str(request.action)
    refusal_prefix = f"{request.subject} may not {action} in {request.domain}"
    if subject is None or not subject.active:
        reason = _no_subject(request.subject, subject, refusal_prefix)
        return _answer(snapshot, request, False, reason, requested_by, recorder)
    domain = _known_domain(snapshot, subject, request.domain, conceal_unreadable)
    if domain is None:
        reason = Reason(
            summary=f"{refusal_prefix}: domain {request.domain} is unknown to policy "
            "(no space registered under that name)"
        )
        return _answer(snapshot, request, False, reason, requested_by, recorder)
    suspension = snapshot.suspension_for(subject.id, domain.id, action)
    if suspension is not None:
        reason = _suspended(subject, suspension, refusal_prefix)
        return _answer(snapshot, request, False, reason, requested_by, recorder)
    denial = snapshot.find_deny(subject.id, domain, action)
    if denial is not None:
        reason = _denied(subject, denial, action, refusal_prefix)
        return _answer(snapshot, request, False, reason, requested_by, recorder)
    match = snapshot.find_allow(subject.id, domain, action)
    if match is None:
        reason = _missing(snapshot, domain, action, refusal_prefix)
        return _answer(snapshot, request, False, reason, requested_by, recorder)
    if recorder is not None:
        recorder.grant_used(match.held.grant.id)
    reason = _allowed(subject, match, action, domain.id)
    return _answer(snapshot, request, True, reason, requested_by, recorder)


def _no_subject(subject_id: str, subject: SubjectEntry | None, refusal_prefix: str) -> Reason:
    if subject is None:
        return Reason(summary=f"{refusal_prefix}: no subject {subject_id!r} in the directory")
    return Reason(summary=f"{refusal_prefix}: subject {subject_id} is deactivated")


def _known_domain(
    snapshot: PolicySnapshot, subject: SubjectEntry, domain_id: str, conceal_unreadable: bool
) -> DomainEntry | None:
    """The domain, or None when unknown (or, when concealing, not readable by the subject)."""
    domain = snapshot.domains.get(domain_id)
    if (
        conceal_unreadable
        and domain is not None
        and domain_id != ORG_DOMAIN
        and snapshot.find_allow(subject.id, domain, Action.READ.value) is None
    ):
        return None
    return domain


def _suspended(subject: SubjectEntry, suspension: SuspensionEntry, refusal_prefix: str) -> Reason:
    what = "anything" if suspension.action is None else suspension.action
    where = "anywhere" if suspension.domain == ORG_DOMAIN else f"in {suspension.domain}"
    until = suspension.valid_to.isoformat() if suspension.valid_to else "until lifted"
    return Reason(
        summary=(
            f"{refusal_prefix}: suspended from {what} {where} by {suspension.created_by} "
            f"since {suspension.valid_from.isoformat()} ({until}): "
            f"{suspension.justification} [suspension {suspension.id}]"
        ),
        rule=", ".join(suspension.rule(subject.principal)),
        role_path=[subject.principal, f"suspension:{suspension.id}"],
        missing=f"suspension {suspension.id} must end or be lifted",
    )


def _denied(subject: SubjectEntry, denial: Match, action: str, refusal_prefix: str) -> Reason:
    denied, held = denial.permission, denial.held
    via = f" through group {held.via_group}" if held.via_group else ""
    role_at = f"role {denied.role} in {held.grant.domain}{via}"
    return Reason(
        summary=(
            f"{refusal_prefix}: {role_at} forbids {action} in {denied.domain_class} "
            f"domains, whatever else {subject.id} holds (separation of duties: "
            f"a {denied.role} changes nothing) [grant {held.grant.id}]"
        ),
        rule=", ".join(denied.rule),
        role_path=held.role_path(subject),
        grant=held.grant.ref(),
        missing=f"{role_at} forbids it: only someone who does not hold it may",
    )


def _missing(
    snapshot: PolicySnapshot, domain: DomainEntry, action: str, refusal_prefix: str
) -> Reason:
    suggestion = snapshot.suggest_role(action, domain)
    if suggestion is None:
        missing = f"no role allows {action} in {domain.domain_class} domains"
    else:
        role, where = suggestion
        missing = f"needs role {role} in {where}"
    # model_construct: the hot path builds from trusted values, skipping validation;
    # every field is given (a default_factory there would inspect a signature).
    return Reason.model_construct(
        summary=f"{refusal_prefix}: {missing}",
        rule=None,
        role_path=[],
        grant=None,
        missing=missing,
    )


def _allowed(subject: SubjectEntry, match: Match, action: str, domain_id: str) -> Reason:
    matched, held = match.permission, match.held
    via = f" through group {held.via_group}" if held.via_group else ""
    return Reason.model_construct(
        summary=(
            f"{subject.id} may {action} in {domain_id}: role {matched.role} in "
            f"{held.grant.domain}{via} allows {action} in {matched.domain_class} domains"
        ),
        rule=", ".join(matched.rule),
        role_path=held.role_path(subject),
        grant=held.grant.ref(),
    )


def decide_batch(
    snapshot: PolicySnapshot,
    requests: Sequence[DecisionRequest],
    *,
    requested_by: str,
    recorder: DecisionSink | None = None,
    conceal_unreadable: bool = False,
) -> DecisionBatch:
    """Decide several requests on the same snapshot, so they share one revision."""
    return DecisionBatch(
        policy_revision=snapshot.revision,
        decisions=[
            decide(
                snapshot,
                r,
                requested_by=requested_by,
                recorder=recorder,
                conceal_unreadable=conceal_unreadable,
            )
            for r in requests
        ],
    )


def ensure_may_ask(
    *, caller_subject: str, caller_is_service: bool, subjects: Sequence[str]
) -> None:
    """Services ask about anyone; a user only about themselves."""
    if caller_is_service:
        return
    others = sorted({s for s in subjects if s != caller_subject})
    if others:
        raise Forbidden(
            f"A user token may ask only about its own subject ({caller_subject}), "
            f"not about {', '.join(others)}."
        )


def check(
    snapshot: PolicySnapshot,
    *,
    subject: str,
    action: Action,
    domain: str,
    recorder: DecisionSink | None = None,
) -> Decision:
    """Decide on the service's own behalf (authorizing its endpoints)."""
    request = DecisionRequest(subject=subject, action=action, domain=domain)
    return decide(snapshot, request, requested_by=subject, recorder=recorder)


def require_any(
    snapshot: PolicySnapshot,
    *,
    subject: str,
    actions: Sequence[Action],
    domain: str,
    recorder: DecisionSink | None = None,
) -> Decision:
    """The first allowing decision among `actions`; else `PermissionDenied` for the first.

    Only the outcome is logged: the alternatives tried on the way are not refusals.
    """
    refusal: Decision | None = None
    for action in actions:
        decision = check(snapshot, subject=subject, action=action, domain=domain)
        if decision.allowed:
            if recorder is not None and decision.reason.grant is not None:
                recorder.grant_used(decision.reason.grant.id)
            return decision
        refusal = refusal or decision
    assert refusal is not None, "require_any needs at least one action"
    if recorder is not None:
        recorder.log(refusal, requested_by=subject)
    raise permission_denied(refusal)


def require(
    snapshot: PolicySnapshot,
    *,
    subject: str,
    action: Action,
    domain: str,
    recorder: DecisionSink | None = None,
) -> Decision:
    """Decide, and raise `PermissionDenied` carrying the explanation when refused."""
    return require_any(
        snapshot, subject=subject, actions=[action], domain=domain, recorder=recorder
    )


def require_auditor(
    snapshot: PolicySnapshot, *, subject: str, recorder: DecisionSink | None = None
) -> Decision:
    """Compliance officers (`audit.read`) and policy admins (`grants.manage`) read the audit."""
    return require_any(
        snapshot,
        subject=subject,
        actions=[Action.AUDIT_READ, Action.GRANTS_MANAGE],
        domain=ORG_DOMAIN,
        recorder=recorder,
    )


def permission_denied(decision: Decision) -> PermissionDenied:
    """The 403 problem for a refused decision, with the reason as an extension."""
    return PermissionDenied(
        decision.reason.summary,
        reason=decision.reason.model_dump(mode="json"),
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )


def _answer(
    snapshot: PolicySnapshot,
    request: DecisionRequest,
    allowed: bool,
    reason: Reason,
    requested_by: str,
    recorder: DecisionSink | None,
) -> Decision:
    decision = Decision.model_construct(
        allowed=allowed,
        decision_id=new_decision_id(),
        policy_revision=snapshot.revision,
        reason=reason,
        subject=request.subject,
        action=str(request.action),
        domain=request.domain,
    )
    if not allowed or decision.action.endswith(OFFICIAL_SUFFIX):
        log.info(
            "policy_decision",
            decision_id=decision.decision_id,
            subject=decision.subject,
            action=decision.action,
            domain=decision.domain,
            allowed=allowed,
            policy_revision=decision.policy_revision,
            rule=reason.rule,
            grant_id=reason.grant.id if reason.grant else None,
            missing=reason.missing,
            requested_by=requested_by,
        )
        if recorder is not None:
            recorder.log(decision, requested_by=requested_by)
    return decision
