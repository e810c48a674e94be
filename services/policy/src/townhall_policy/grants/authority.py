"""Who may grant or revoke which role: one check, whoever relays the request.

Policy admins call `/v1/grants` themselves; publishing relays a space owner's request to
`/internal/v1/grants` on behalf of that human. Both run `authorize_grant_change` with
the human as the actor, so a relay can grant nothing its human could not grant here,
save joining and leaving a public community (a `member` grant to oneself, relayed).
Separation of duties between the roles a grant would combine is checked where every
grant is written (`service.create_grant` → `duties.check_grant`).
"""

from __future__ import annotations

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action, Decision, Role, SpaceKind
from townhall_platform.errors import PermissionDenied
from townhall_policy.decisions.service import check, permission_denied
from townhall_policy.domains import repository as domains
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.grants.errors import SelfGrant
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.grants import repository

# Space roles a space's owner may grant and revoke in their own space.
OWNER_GRANTABLE_ROLES = frozenset({Role.MEMBER.value, Role.MODERATOR.value})


def authorize_grant_change(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    actor: str,
    subject: str,
    role: str,
    domain: str,
    verb: str = "grant",
    relayed_by: str | None = None,
) -> Decision:
    """May the human `actor` grant (or revoke) `role` in `domain` to `subject`?

    The allowing decision, else 403. Policy admins (`grants.manage` in `org`) change any
    grant; a space's owner (`manage.members` there) grants and revokes `member` and
    `moderator` in that space; the creator of a new space, relayed by the service that
    creates it, becomes its first owner. What a role forbids (compliance officers change
    nothing) and suspensions are the decisions' own. Nobody grants a role to themselves,
    directly or through a group they belong to.
    """
    if relayed_by is not None and _may_found(
        session, actor=actor, subject=subject, role=role, domain=domain, verb=verb
    ):
        founder = _founder_decision(session, snapshot, actor=actor, domain=domain)
        if not founder.allowed:
            raise permission_denied(founder)
        return founder
    if relayed_by is not None and _may_join(
        session, actor=actor, subject=subject, role=role, domain=domain
    ):
        taking_part = check(snapshot, subject=actor, action=Action.POST_SOCIAL, domain=domain)
        if not taking_part.allowed:
            raise permission_denied(taking_part)
        return taking_part
    decision = _authority(snapshot, actor=actor, role=role, domain=domain, verb=verb)
    if verb == "grant":
        _refuse_self_grant(session, actor=actor, subject=subject, role=role, domain=domain)
    return decision


def _authority(
    snapshot: PolicySnapshot, *, actor: str, role: str, domain: str, verb: str
) -> Decision:
    admin = check(snapshot, subject=actor, action=Action.GRANTS_MANAGE, domain=ORG_DOMAIN)
    if admin.allowed:
        return admin
    refusals = [admin]
    needs = "needs role policy_admin in org"
    if domain != ORG_DOMAIN and role in OWNER_GRANTABLE_ROLES:
        owner = check(snapshot, subject=actor, action=Action.MANAGE_MEMBERS, domain=domain)
        if owner.allowed:
            return owner
        refusals.insert(0, owner)
        needs = (
            f"needs role policy_admin in org, or role owner in {domain} "
            f"(owners {verb} member and moderator in their space)"
        )
    # A refusal by a rule (a role's deny, a suspension) says why better than "needs".
    ruled = next((r for r in refusals if r.reason.rule is not None), None)
    refusal = ruled or admin
    summary = (
        refusal.reason.summary
        if ruled is not None
        else f"{actor} may not {verb} {role} in {domain}: {needs}"
    )
    raise PermissionDenied(
        summary,
        reason={
            **refusal.reason.model_dump(mode="json"),
            "missing": refusal.reason.missing if ruled is not None else needs,
        },
        decision_id=refusal.decision_id,
        policy_revision=refusal.policy_revision,
    )


def _may_found(
    session: Session, *, actor: str, subject: str, role: str, domain: str, verb: str
) -> bool:
    """Is this the first owner grant of a space, to the human creating it?

    True when no one but `actor`, on their own creation, was ever granted `owner` there
    and that grant is still in force (a retried creation): an owner revoked, or a space
    with another owner, is never founded again. The domain's row is locked so that two
    creations of the same space cannot both found it.
    """
    if verb != "grant" or role != Role.OWNER.value or subject != actor or domain == ORG_DOMAIN:
        return False
    if domains.lock_domain(session, domain) is None:
        return False
    return not repository.held_by_another_ever(
        session, role=Role.OWNER.value, domain=domain, founder=actor
    )


def _may_join(session: Session, *, actor: str, subject: str, role: str, domain: str) -> bool:
    """Is this someone joining or leaving a public community, themselves?

    `member` there allows exactly what every employee may already do there, so taking
    it or giving it back needs nobody else's hand: who may take part in the space
    (`post.social` there) joins it. Anything else keeps separation of duties.
    """
    if role != Role.MEMBER.value or subject != actor or domain == ORG_DOMAIN:
        return False
    entry = domains.get_domain(session, domain)
    return (
        entry is not None
        and entry.kind == SpaceKind.COMMUNITY.value
        and entry.visibility == "public"
    )


def _founder_decision(
    session: Session, snapshot: PolicySnapshot, *, actor: str, domain: str
) -> Decision:
    """Who may create a space founds it: `manage.space` in org, and for an announcement
    space (an official channel) `publish.official` in org too."""
    entry = domains.get_domain(session, domain)
    founder = check(snapshot, subject=actor, action=Action.MANAGE_SPACE, domain=ORG_DOMAIN)
    if founder.allowed and entry is not None and entry.kind == SpaceKind.ANNOUNCEMENT.value:
        official = check(snapshot, subject=actor, action=Action.PUBLISH_OFFICIAL, domain=ORG_DOMAIN)
        if not official.allowed:
            return official
    return founder


def _refuse_self_grant(
    session: Session, *, actor: str, subject: str, role: str, domain: str
) -> None:
    """Separation of duties: a role always comes from someone else, groups included."""
    if subject == actor:
        raise SelfGrant(
            f"{actor} may not grant {role} in {domain} to themselves: separation of "
            "duties requires someone else to grant it.",
            subject=subject,
            role=role,
            domain=domain,
        )
    if subject in directory.group_ids_of(session, actor):
        raise SelfGrant(
            f"{actor} may not grant {role} in {domain} to group {subject}, of which they "
            "are a member: that grant would reach themselves.",
            subject=subject,
            role=role,
            domain=domain,
        )
