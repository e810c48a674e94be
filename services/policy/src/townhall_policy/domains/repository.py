"""SQL of the domains table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from townhall_policy.domains.models import Domain


def get_domain(session: Session, domain_id: str) -> Domain | None:
    return session.get(Domain, domain_id)


def lock_domain(session: Session, domain_id: str) -> Domain | None:
    """The domain, its row locked until the transaction ends (where the database can)."""
    return session.get(Domain, domain_id, with_for_update=True)


def list_domains(session: Session) -> Sequence[Domain]:
    return session.exec(select(Domain)).all()


def save_domain(session: Session, domain: Domain) -> Domain:
    session.add(domain)
    session.flush()
    return domain
