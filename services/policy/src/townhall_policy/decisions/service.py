"""Deciding and explaining. Every answer names the rule, the role path and the grant.

A refusal names the closest missing permission ("needs role communicator in org").
Decisions on official actions and every refusal are logged.
"""

from __future__ import annotations

import uuid
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
from townhall_policy.enforcement.snapshot import PolicySnapshot

log = structlog.get_logger("townhall.policy.decisions")

OFFICIAL_SUFFIX = ".official"


def decide(
    snapshot: PolicySnapshot,
    request: DecisionRequest,
    *,
    requested_by: str,
) -> Decision:
    """Decide one request on one snapshot, with its explanation."""
    subject = snapshot.subjects.get(request.subject)
    action = str(request.action)
    domain = request.domain
    refusal_prefix = f"{request.subject} may not {action} in {domain}"
    if subject is None:
        reason = Reason(
            summary=f"{refusal_prefix}: no subject {request.subject!r} in the directory"
        )
        return _answer(snapshot, request, False, reason, requested_by)
    if not subject.active:
        reason = Reason(summary=f"{refusal_prefix}: subject {request.subject} is deactivated")
        return _answer(snapshot, request, False, reason, requested_by)
    domain_entry = snapshot.domains.get(domain)
    if domain_entry is None:
        reason = Reason(
            summary=f"{refusal_prefix}: domain {domain} is unknown to policy "
            "(no space registered under that name)"
        )
        return _answer(snapshot, request, False, reason, requested_by)

    matched = snapshot.enforce(subject, domain, action)
    if matched is None:
        suggestion = snapshot.suggest_role(action, domain_entry)
        if suggestion is None:
            missing = f"no role allows {action} in {domain_entry.domain_class} domains"
        else:
            role, where = suggestion
            missing = f"needs role {role} in {where}"
        reason = Reason(summary=f"{refusal_prefix}: {missing}", missing=missing)
        return _answer(snapshot, request, False, reason, requested_by)

    grant_domain = ORG_DOMAIN if matched.scope == "org" else domain
    held = snapshot.find_held_role(subject.id, matched.role, grant_domain)
    rule = ", ".join(matched.rule)
    if held is None:
        # casbin and the indexes are built from the same rows; disagreeing is a bug.
        raise RuntimeError(f"casbin matched {rule} for {subject.id} but no grant backs it")
    via = f" through group {held.via_group}" if held.via_group else ""
    reason = Reason(
        summary=(
            f"{subject.id} may {action} in {domain}: role {matched.role} in {grant_domain}"
            f"{via} allows {action} in {matched.domain_class} domains"
        ),
        rule=rule,
        role_path=held.role_path(subject),
        grant=held.grant.ref(),
    )
    return _answer(snapshot, request, True, reason, requested_by)


def decide_batch(
    snapshot: PolicySnapshot, requests: Sequence[DecisionRequest], *, requested_by: str
) -> DecisionBatch:
    """Decide several requests on the same snapshot, so they share one revision."""
    return DecisionBatch(
        policy_revision=snapshot.revision,
        decisions=[decide(snapshot, r, requested_by=requested_by) for r in requests],
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


def check(snapshot: PolicySnapshot, *, subject: str, action: Action, domain: str) -> Decision:
    """Decide on the service's own behalf (authorizing its endpoints)."""
    request = DecisionRequest(subject=subject, action=action, domain=domain)
    return decide(snapshot, request, requested_by=subject)


def require_any(
    snapshot: PolicySnapshot, *, subject: str, actions: Sequence[Action], domain: str
) -> Decision:
    """The first allowing decision among `actions`; else `PermissionDenied` for the first."""
    decisions = [check(snapshot, subject=subject, action=a, domain=domain) for a in actions]
    for decision in decisions:
        if decision.allowed:
            return decision
    raise permission_denied(decisions[0])


def require(snapshot: PolicySnapshot, *, subject: str, action: Action, domain: str) -> Decision:
    """Decide, and raise `PermissionDenied` carrying the explanation when refused."""
    return require_any(snapshot, subject=subject, actions=[action], domain=domain)


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
) -> Decision:
    decision = Decision(
        allowed=allowed,
        decision_id=str(uuid.uuid4()),
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
    return decision
