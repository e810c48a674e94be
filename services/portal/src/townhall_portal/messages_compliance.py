"""Messages of the compliance and grants pages: the audit trail's event types and the grant
history's events as people say them (English, then French). The keys follow policy's own
event names, so a new kind of event shows its name until it is given words here (a test
fails when policy records one this catalogue lacks)."""

from __future__ import annotations

COMPLIANCE_MESSAGES: dict[str, tuple[str, str]] = {
    "audit.audit.chain_keyed": ("Audit trail keyed", "Journal d'audit scellé"),
    "audit.domain.registered": ("Domain registered", "Domaine enregistré"),
    "audit.domain.updated": ("Domain updated", "Domaine modifié"),
    "audit.grant.created": ("Role granted", "Rôle attribué"),
    "audit.grant.revoked": ("Role revoked", "Rôle retiré"),
    "audit.membership.added": ("Added to a group", "Ajout à un groupe"),
    "audit.membership.removed": ("Removed from a group", "Retrait d'un groupe"),
    "audit.review.opened": ("Access review opened", "Revue d'accès ouverte"),
    "audit.review.item_recorded": ("Review decision recorded", "Décision de revue enregistrée"),
    "audit.review.closed": ("Access review closed", "Revue d'accès close"),
    "audit.subject.created": ("Person or group created", "Personne ou groupe créé"),
    "audit.subject.updated": ("Person or group updated", "Personne ou groupe modifié"),
    "audit.subject.deactivated": ("Person or group deactivated", "Personne ou groupe désactivé"),
    "audit.subject.reactivated": ("Person or group reactivated", "Personne ou groupe réactivé"),
    "audit.suspension.created": ("Suspended", "Suspension"),
    "audit.suspension.lifted": ("Suspension lifted", "Suspension levée"),
    "history.granted": ("Granted", "Attribué"),
    "history.starts": ("Takes effect", "Prend effet"),
    "history.revoked": ("Revoked", "Retiré"),
    "history.expires": ("Expires", "Expire"),
    "review.keep": ("Kept", "Conservé"),
    "review.revoke": ("Revoked", "Retiré"),
    "compliance.age": ("Age (days)", "Ancienneté (jours)"),
    "compliance.open": ("Open", "Ouverte"),
    "compliance.closed_at": ("Closed {when}", "Close le {when}"),
}
