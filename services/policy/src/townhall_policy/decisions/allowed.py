"""Which of many subjects a decision would allow: one question for a whole audience.

Notifications checks every recipient at delivery time; asking one decision per person
built and sent tens of thousands of explained decisions for a yes or no each. This answers
the yes-or-no part on the same snapshot with the same fast path (`PolicySnapshot.allows`,
which decides exactly as `decide` does for a service), and returns only the subjects
allowed. It is a question about the directory asked by a service, like an audience, not
a request of the subjects themselves: nothing goes to the decision log and no grant counts
as used.
"""

from __future__ import annotations

from townhall_contracts.policy import AllowedSubjects, AllowedSubjectsRequest
from townhall_policy.enforcement.snapshot import PolicySnapshot


def allowed_subjects(snapshot: PolicySnapshot, request: AllowedSubjectsRequest) -> AllowedSubjects:
    """The subjects of `request` allowed its action in its domain, in the order asked."""
    action = request.action.value
    allowed = [
        subject
        for subject in dict.fromkeys(request.subjects)
        if snapshot.allows(subject, request.domain, action)
    ]
    return AllowedSubjects(
        action=action,
        domain=request.domain,
        subjects=allowed,
        policy_revision=snapshot.revision,
    )
