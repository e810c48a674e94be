"""`POST /v1/decisions`, `POST /v1/decisions/batch` and `POST /internal/v1/decisions/allowed`."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.policy import (
    AllowedSubjects,
    AllowedSubjectsRequest,
    Decision,
    DecisionBatch,
    DecisionBatchRequest,
    DecisionRequest,
)
from townhall_platform.app import AnyCaller, CurrentService
from townhall_platform.errors import problem_responses
from townhall_policy.decisions import service
from townhall_policy.decisions.allowed import allowed_subjects
from townhall_policy.deps import PolicyEngineDep

router = APIRouter(prefix="/v1/decisions", tags=["decisions"])
internal_router = APIRouter(prefix="/internal/v1/decisions", tags=["internal"])


@router.post(
    "",
    response_model=Decision,
    summary="May a subject do an action in a domain, and why",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
async def post_decision(
    body: DecisionRequest, caller: AnyCaller, policy: PolicyEngineDep
) -> Decision:
    """Services may ask about any subject; a user token only about its own subject.

    A refusal is an answer (`allowed: false`), not an error: unknown domains and unknown
    or deactivated subjects are refused with an explanation. To a user, a space they
    hold no role to read is answered as an unknown domain. Runs on the event loop:
    deciding is computation on the loaded snapshot, cheaper than a thread-pool hop. A
    refusal or a decision on an official action is answered once it is in the decision
    log (503 when the log cannot be written).
    """
    is_service = caller.kind == "service"
    service.ensure_may_ask(
        caller_subject=caller.subject, caller_is_service=is_service, subjects=[body.subject]
    )
    to_log = policy.recorder.for_request()
    decision = service.decide(
        policy.current(),
        body,
        requested_by=caller.subject,
        recorder=to_log,
        conceal_unreadable=not is_service,
    )
    await to_log.written()
    return decision


@router.post(
    "/batch",
    response_model=DecisionBatch,
    summary="Several decisions at one policy revision",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
async def post_decision_batch(
    body: DecisionBatchRequest, caller: AnyCaller, policy: PolicyEngineDep
) -> DecisionBatch:
    """Answers in the order asked, all decided on the same snapshot (to a user, as one
    at a time: a space they may not read is an unknown domain)."""
    is_service = caller.kind == "service"
    service.ensure_may_ask(
        caller_subject=caller.subject,
        caller_is_service=is_service,
        subjects=[d.subject for d in body.decisions],
    )
    to_log = policy.recorder.for_request()
    batch = service.decide_batch(
        policy.current(),
        body.decisions,
        requested_by=caller.subject,
        recorder=to_log,
        conceal_unreadable=not is_service,
    )
    await to_log.written()
    return batch


@internal_router.post(
    "/allowed",
    response_model=AllowedSubjects,
    summary="Which of these subjects may do an action in a domain (service tokens only)",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
def post_allowed_subjects(
    body: AllowedSubjectsRequest, caller: CurrentService, policy: PolicyEngineDep
) -> AllowedSubjects:
    """The subjects a decision would allow, in the order asked, each once: a deactivated,
    suspended, denied or unknown subject, or one whose grant was revoked or has expired,
    is left out, as a decision refuses it. Up to 10,000 subjects a request. Decided on
    the latest revision (read from the database first, so not on the event loop);
    nothing is written to the decision log (see `decisions.allowed`)."""
    return allowed_subjects(policy.refresh_if_stale(), body)
