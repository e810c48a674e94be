"""A domain's class at a past instant, from the audit trail.

Every change of a space's kind or visibility appends a `domain.updated` event carrying
the previous kind and visibility (hash-chained, verifiable). So the class a domain had
at an instant is the previous class named by its first update after that instant, or
its current class when it has not changed since; no separate history table is needed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from townhall_policy.audit.models import AuditEvent
from townhall_policy.domains import repository
from townhall_policy.domains.models import domain_class

UPDATED = "domain.updated"


def classes_at(
    session: Session, *, at: datetime, domain_ids: Sequence[str] | None = None
) -> dict[str, str]:
    """The class of each domain (of `domain_ids`, else every domain) as it was at `at`."""
    classes = {
        d.id: d.domain_class
        for d in repository.list_domains(session)
        if domain_ids is None or d.id in domain_ids
    }
    statement = (
        select(col(AuditEvent.domain), col(AuditEvent.payload))
        .where(col(AuditEvent.event_type) == UPDATED, col(AuditEvent.occurred_at) > at)
        .order_by(col(AuditEvent.seq))
    )
    if domain_ids is not None:
        statement = statement.where(col(AuditEvent.domain).in_(domain_ids))
    settled: set[str] = set()
    for domain, payload in session.exec(statement):
        if domain is None or domain in settled or domain not in classes:
            continue
        settled.add(domain)
        before = json.loads(payload)
        classes[domain] = domain_class(before["previous_kind"], before["previous_visibility"])
    return classes
