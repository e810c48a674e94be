"""French and English: chosen from the browser's language, switchable, kept in a cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .messages_compliance import COMPLIANCE_MESSAGES
from .messages_objectives import OBJECTIVES_MESSAGES
from .messages_official import OFFICIAL_MESSAGES
from .messages_reach import REACH_MESSAGES
from .messages_search import SEARCH_MESSAGES
from .words import WORDS

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "townhall_lang"

# One entry per message: English, then French.
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("Townhall", "Townhall"),
    "nav.main": ("Main", "Principal"),
    "nav.feed": ("Feed", "Fil"),
    "nav.spaces": ("Spaces", "Espaces"),
    "nav.compose": ("Write a post", "Écrire un message"),
    "nav.search": ("Search", "Recherche"),
    "nav.official": ("Official posts", "Communication officielle"),
    "nav.approvals": ("Approvals", "Validations"),
    "nav.indicators": ("Indicators", "Indicateurs"),
    "nav.moderation": ("Moderation", "Modération"),
    "nav.compliance": ("Compliance", "Conformité"),
    "nav.grants": ("Grants", "Attributions"),
    "nav.skip": ("Skip to content", "Aller au contenu"),
    "nav.signed_in_as": ("Signed in as {user}", "Connecté en tant que {user}"),
    "nav.sign_out": ("Sign out", "Se déconnecter"),
    "lang.label": ("Language", "Langue"),
    "lang.switch": ("Change", "Changer"),
    "signin.title": ("Sign in", "Connexion"),
    "signin.dev_banner": (
        "Development sign-in: pick a demo user. This page does not exist in production.",
        "Connexion de développement : choisissez un utilisateur de démonstration. "
        "Cette page n'existe pas en production.",
    ),
    "signin.user": ("Demo user", "Utilisateur de démonstration"),
    "signin.submit": ("Sign in", "Se connecter"),
    "signin.oidc": (
        "Sign in with your company account",
        "Se connecter avec le compte de l'entreprise",
    ),
    "signin.expired": (
        "Your session has expired. Sign in again to continue.",
        "Votre session a expiré. Reconnectez-vous pour continuer.",
    ),
    "signin.unknown_user": (
        "Choose a user from the list.",
        "Choisissez un utilisateur de la liste.",
    ),
    "signin.unavailable": (
        "No sign-in method is configured.",
        "Aucune méthode de connexion n'est configurée.",
    ),
    "feed.title": ("Your feed", "Votre fil"),
    "feed.empty": ("Nothing to read yet.", "Rien à lire pour l'instant."),
    "feed.more": ("Older posts", "Messages plus anciens"),
    "feed.ack_needed": (
        "Please read and acknowledge this post.",
        "Merci de lire ce message et d'en accuser réception.",
    ),
    "post.official": ("Official", "Officiel"),
    "post.pinned": ("Pinned", "Épinglé"),
    "post.social": ("Social", "Social"),
    "post.by": ("by {author} in {space}", "par {author} dans {space}"),
    "post.read": ("Read", "Lire"),
    "post.comments": ("Comments", "Commentaires"),
    "post.no_comments": ("No comments yet.", "Pas encore de commentaire."),
    "post.comment": ("Comment", "Commenter"),
    "post.your_comment": ("Your comment", "Votre commentaire"),
    "post.acknowledge": ("I have read this", "J'ai lu ce message"),
    "post.acknowledged": ("Acknowledged. Thank you.", "Accusé de réception enregistré. Merci."),
    "post.react": ("Like", "J'aime"),
    "post.report": ("Report to moderators", "Signaler aux modérateurs"),
    "post.report_reason": ("Why are you reporting this?", "Pourquoi signalez-vous ce contenu ?"),
    "post.reported": (
        "Thank you: moderators will look at it.",
        "Merci : les modérateurs vont l'examiner.",
    ),
    "post.endorse": ("Endorse", "Approuver officiellement"),
    "post.endorsed_by": ("Endorsed by {who}", "Approuvé officiellement par {who}"),
    "post.restore": ("Restore this post", "Rétablir ce message"),
    "official.retract": ("Retract", "Retirer"),
    "official.retract_reason": ("Why retract it?", "Pourquoi le retirer ?"),
    "official.schedule": ("Schedule", "Programmer"),
    "official.schedule_at": ("Publish at", "Publier le"),
    "official.retracted": ("Retracted", "Retiré"),
    "official.retracted_notice": (
        "Retracted: the post has left the feeds and search; compliance keeps it on record.",
        "Retiré : le message a quitté les fils et la recherche ; "
        "la conformité le garde en archive.",
    ),
    "post.official_answer": ("Official answer", "Réponse officielle"),
    "post.revision": ("edited: revision {n}", "modifié : version {n}"),
    "post.answer_lapsed": (
        "Answered revision {n} of this post, since edited by its author: "
        "this answer does not speak for the text above.",
        "Réponse à la version {n} de ce message, modifié depuis par son auteur : "
        "elle ne vaut pas pour le texte ci-dessus.",
    ),
    "post.answer_officially": ("Answer officially", "Répondre officiellement"),
    "post.authority": ("Speaking for", "Au nom de"),
    "post.state": ("State", "État"),
    "post.hidden": ("Hidden by a moderator", "Masqué par un modérateur"),
    "compose.title": ("Write a post", "Écrire un message"),
    "compose.space": ("Space", "Espace"),
    "compose.post_title": ("Title", "Titre"),
    "compose.body": ("Text (Markdown)", "Texte (Markdown)"),
    "compose.preview": ("Preview", "Aperçu"),
    "compose.publish": ("Publish", "Publier"),
    "compose.preview_heading": ("Preview", "Aperçu"),
    "compose.required": ("This field is required.", "Ce champ est obligatoire."),
    "compose.too_long": ("At most {n} characters.", "{n} caractères au plus."),
    "compose.published": ("Your post is published.", "Votre message est publié."),
    "spaces.title": ("Spaces", "Espaces"),
    "spaces.restricted": ("Restricted", "Restreint"),
    "spaces.public": ("Public", "Public"),
    "spaces.community": ("Community", "Communauté"),
    "spaces.announcement": ("Announcements", "Annonces"),
    "space.posts": ("Posts", "Messages"),
    "space.write": ("Write in this space", "Écrire dans cet espace"),
    "search.title": ("Search", "Recherche"),
    "search.query": ("Search for", "Rechercher"),
    "search.submit": ("Search", "Rechercher"),
    "search.results": ("{n} results", "{n} résultats"),
    "search.none": ("No result.", "Aucun résultat."),
    "search.filters": ("Filter", "Filtrer"),
    "search.facet.kind": ("Kind", "Type"),
    "search.facet.space_id": ("Space", "Espace"),
    "search.facet.author_id": ("Author", "Auteur"),
    "search.clear": ("Clear filters", "Effacer les filtres"),
    "search.next": ("Next results", "Résultats suivants"),
    "search.first": ("First results", "Premiers résultats"),
    "search.suggestions": ("Suggestions", "Suggestions"),
    "official.title": ("Official posts", "Communication officielle"),
    "official.compose": ("Draft an official post", "Rédiger un message officiel"),
    "official.audience_groups": ("Audience: groups", "Public : groupes"),
    "official.audience_groups_help": (
        "Group ids separated by commas (empty: everyone who can read the space)",
        "Identifiants de groupes séparés par des virgules (vide : tous les lecteurs de l'espace)",
    ),
    "official.publish_at": ("Publish at (optional)", "Publier le (facultatif)"),
    "official.requires_ack": ("Require acknowledgement", "Exiger un accusé de réception"),
    "official.save_submit": ("Save and submit for approval", "Enregistrer et soumettre"),
    "official.submitted": ("Submitted for approval.", "Soumis pour validation."),
    "official.mine": ("Your official posts", "Vos messages officiels"),
    "official.track": ("Acknowledgements", "Accusés de réception"),
    "official.rate": ("Acknowledgement rate", "Taux d'accusé de réception"),
    "official.pending": ("Not yet acknowledged", "Pas encore lu"),
    "official.publish_now": ("Publish now", "Publier maintenant"),
    "official.post_id": ("Post id", "Identifiant du message"),
    "approvals.title": ("Waiting for your approval", "En attente de votre validation"),
    "approvals.empty": ("Nothing to approve.", "Rien à valider."),
    "approvals.approve": ("Approve", "Valider"),
    "approvals.reject": ("Reject", "Refuser"),
    "approvals.reason": ("Reason", "Motif"),
    "indicators.title": ("Indicators", "Indicateurs"),
    "moderation.title": ("Reports to handle", "Signalements à traiter"),
    "moderation.empty": ("No open report.", "Aucun signalement ouvert."),
    "moderation.hide": ("Hide", "Masquer"),
    "moderation.restore": ("Restore", "Rétablir"),
    "moderation.dismiss": ("Dismiss", "Classer"),
    "moderation.reason": ("Reason (shown to the author)", "Motif (communiqué à l'auteur)"),
    "compliance.title": ("Compliance", "Conformité"),
    "compliance.who_can": ("Who can do what, where", "Qui peut faire quoi, où"),
    "compliance.action": ("Action", "Action"),
    "compliance.domain": ("Domain", "Domaine"),
    "compliance.at": (
        "At (date and time, UTC; empty: now)",
        "Le (date et heure UTC ; vide : maintenant)",
    ),
    "compliance.ask": ("Answer", "Répondre"),
    "compliance.subject": ("Person", "Personne"),
    "compliance.roles": ("Roles and history of a person", "Rôles et historique d'une personne"),
    "compliance.grant_history": ("Grant history", "Historique des attributions"),
    "compliance.reviews": ("Access reviews", "Revues d'accès"),
    "compliance.trail": ("Audit trail", "Journal d'audit"),
    "compliance.verify": ("Verify the chain", "Vérifier la chaîne"),
    "compliance.chain_ok": ("The audit trail is intact.", "Le journal d'audit est intact."),
    "compliance.chain_broken": ("The audit trail is broken", "Le journal d'audit est rompu"),
    "compliance.export": ("Export CSV", "Exporter en CSV"),
    "compliance.nobody": ("Nobody.", "Personne."),
    "grants.title": ("Grant and revoke roles", "Attribuer et retirer des rôles"),
    "grants.role": ("Role", "Rôle"),
    "grants.justification": ("Justification", "Justification"),
    "grants.grant": ("Grant", "Attribuer"),
    "grants.revoke": ("Revoke", "Retirer"),
    "grants.done": ("Done.", "C'est fait."),
    "official.publish_at_invalid": (
        "Give a date and time in the future.",
        "Indiquez une date et une heure à venir.",
    ),
    "official.status": ("Status", "Statut"),
    "official.none": ("No official post yet.", "Aucun message officiel pour l'instant."),
    "official.history": ("Steps", "Étapes"),
    "official.audience": ("Audience", "Public"),
    "official.acknowledged": ("Acknowledged", "Lu et accusé"),
    "approvals.reason_required": (
        "Give a reason of at least 3 characters.",
        "Indiquez un motif d'au moins 3 caractères.",
    ),
    "indicators.posts": (
        "Posts per week (social, official)",
        "Messages par semaine (sociaux, officiels)",
    ),
    "indicators.participation": (
        "Active contributors per week",
        "Contributeurs actifs par semaine",
    ),
    "indicators.reach": (
        "Official reach (share of the audience who read)",
        "Portée officielle (part du public ayant lu)",
    ),
    "indicators.ack_rate": ("Acknowledgement rate", "Taux d'accusé de réception"),
    "indicators.week_ending": ("Week ending", "Semaine finissant le"),
    "indicators.space": ("Space (empty: company-wide)", "Espace (vide : toute l'entreprise)"),
    "indicators.weeks": ("Weeks", "Semaines"),
    "indicators.show": ("Show", "Afficher"),
    "indicators.company": ("Company-wide", "Toute l'entreprise"),
    "nav.objectives": ("Objectives", "Objectifs"),
    "objectives.title": ("Objectives", "Objectifs"),
    "objectives.intro": (
        "Each objective ties a precise indicator to a target and a date. Figures are "
        "aggregates: no value is shown for fewer than five people.",
        "Chaque objectif lie un indicateur précis à une cible et une échéance. Les chiffres "
        "sont agrégés : aucune valeur n'est montrée pour moins de cinq personnes.",
    ),
    "objectives.name": ("Name", "Nom"),
    "objectives.name_example": (
        "90 % of employees acknowledge safety notices within 5 days",
        "90 % des salariés accusent réception des consignes de sécurité sous 5 jours",
    ),
    "objectives.metric": ("Indicator", "Indicateur"),
    "objectives.metric_help": (
        "The exact formula of each indicator is on the indicators documentation page.",
        "La formule exacte de chaque indicateur figure dans la documentation des indicateurs.",
    ),
    "objectives.scope": ("Scope", "Périmètre"),
    "objectives.scope_company": ("The company", "L'entreprise"),
    "objectives.scope_space": ("A space", "Un espace"),
    "objectives.scope_group": ("A directory group", "Un groupe de l'annuaire"),
    "objectives.scope_id": (
        "Space or group identifier (not for the company)",
        "Identifiant de l'espace ou du groupe (pas pour l'entreprise)",
    ),
    "objectives.value": ("Value", "Valeur"),
    "objectives.target": ("Target", "Cible"),
    "objectives.target_typed": (
        "Target (a percentage for a rate: 90 for 90 %)",
        "Cible (un pourcentage pour un taux : 90 pour 90 %)",
    ),
    "objectives.target_share": (
        "A rate is a percentage between 0 and 100.",
        "Un taux est un pourcentage entre 0 et 100.",
    ),
    "objectives.window": (
        "Delay N, in days or hours, for indicators that have one (empty: the default)",
        "Délai N, en jours ou en heures, pour les indicateurs qui en ont un (vide : par défaut)",
    ),
    "objectives.starts_on": ("Starts on", "Début"),
    "objectives.ends_on": ("Ends on", "Échéance"),
    "objectives.create": ("Create the objective", "Créer l'objectif"),
    "objectives.new": ("New objective", "Nouvel objectif"),
    "objectives.none": ("No objective yet.", "Aucun objectif pour l'instant."),
    "objectives.closed": ("closed", "clos"),
    "objectives.status": ("Status", "État"),
    "objectives.status_on_track": ("On track", "En bonne voie"),
    "objectives.status_at_risk": ("At risk", "À risque"),
    "objectives.status_off_track": ("Off track", "En retard"),
    "objectives.status_no_data": ("No data yet", "Pas encore de données"),
    "objectives.status_rule": (
        "The path runs straight from the baseline to the target. On track: no further behind "
        "it than a tenth of the distance from baseline to target; at risk: up to three tenths.",
        "La trajectoire va en ligne droite de la référence à la cible. En bonne voie : pas plus "
        "d'un dixième de l'écart référence-cible en retard ; à risque : jusqu'à trois dixièmes.",
    ),
    "objectives.expected": ("Expected by now", "Attendu à ce jour"),
    "objectives.baseline": ("Baseline", "Référence"),
    "objectives.owner": ("owner", "responsable"),
    "objectives.progress": ("Progress", "Progression"),
    "objectives.daily": ("Daily values", "Valeurs quotidiennes"),
    "objectives.day": ("Day", "Jour"),
    "objectives.breakdown": ("Where it lags", "Où cela coince"),
    "objectives.by": ("Break down by", "Ventiler par"),
    "objectives.by_site": ("Site", "Site"),
    "objectives.by_department": ("Department", "Service"),
    "objectives.by_team": ("Team", "Équipe"),
    "objectives.group": ("Group", "Groupe"),
    "objectives.people": ("People", "Personnes"),
    "objectives.suppressed": (
        "Not shown: fewer than five people",
        "Non affiché : moins de cinq personnes",
    ),
    "objectives.floor_note": (
        "Groups of fewer than five people are never shown, so that nobody can be singled out.",
        "Les groupes de moins de cinq personnes ne sont jamais montrés : personne ne peut y "
        "être isolé.",
    ),
    "objectives.no_groups": ("No group of this kind.", "Aucun groupe de ce type."),
    "objectives.history": ("History", "Historique"),
    "objectives.levers": ("What would move it", "Ce qui le ferait avancer"),
    "objectives.pending": ("{n} people yet to acknowledge", "{n} personnes n'ont pas encore lu"),
    "objectives.unanswered": ("no answer yet", "pas encore de réponse"),
    "objectives.export": ("Daily values (CSV)", "Valeurs quotidiennes (CSV)"),
    "objectives.collected": (
        "What the indicators are computed from, and for how long",
        "À partir de quoi les indicateurs sont calculés, et pour combien de temps",
    ),
    "objectives.collected_what": ("Data", "Donnée"),
    "objectives.collected_why": ("Why", "Pourquoi"),
    "objectives.collected_kept": ("Kept", "Conservée"),
    "objectives.collected_per_person": ("Shown per person", "Montrée par personne"),
    "objectives.yes": ("Yes", "Oui"),
    "objectives.no": ("No", "Non"),
    "objectives.close": ("Close the objective", "Clore l'objectif"),
    "objectives.outcome": ("Outcome", "Résultat"),
    "objectives.outcome_achieved": ("Achieved", "Atteint"),
    "objectives.outcome_missed": ("Missed", "Manqué"),
    "objectives.outcome_abandoned": ("Abandoned", "Abandonné"),
    "metric.acknowledgement_rate": (
        "Notices acknowledged within N days",
        "Consignes acquittées sous N jours",
    ),
    "metric.acknowledgement_median_hours": (
        "Median time to acknowledge (hours)",
        "Délai médian d'accusé de réception (heures)",
    ),
    "metric.official_reach": ("Official reach within N days", "Portée officielle sous N jours"),
    "metric.questions_answered": (
        "Questions answered within N hours",
        "Questions avec réponse sous N heures",
    ),
    "metric.questions_answered_officially": (
        "Questions answered officially within N hours",
        "Questions avec réponse officielle sous N heures",
    ),
    "metric.first_answer_median_hours": (
        "Median time to a first answer (hours)",
        "Délai médian de première réponse (heures)",
    ),
    "metric.participation": ("Participation", "Participation"),
    "metric.contributors_per_hundred_readers": (
        "Contributors per hundred readers",
        "Contributeurs pour cent lecteurs",
    ),
    "metric.new_contributors": ("New contributors", "Nouveaux contributeurs"),
    "metric.cross_silo_exchange": ("Cross-silo exchange", "Échanges entre services"),
    "metric.reports": ("Reports (moderation load)", "Signalements (charge de modération)"),
    "metric.report_handling_median_hours": (
        "Median time to handle a report (hours)",
        "Délai médian de traitement d'un signalement (heures)",
    ),
    "moderation.reported_by": ("Reported by {who}", "Signalé par {who}"),
    "moderation.history": ("Hidden content", "Contenus masqués"),
    "compliance.holders": ("Holders", "Titulaires"),
    "compliance.role_path": ("Role path", "Chemin de rôle"),
    "compliance.granted_by": ("Granted by", "Attribué par"),
    "compliance.granted_at": ("Granted at", "Attribué le"),
    "compliance.valid": ("Valid", "Validité"),
    "compliance.revoked": ("Revoked", "Retiré"),
    "compliance.event": ("Event", "Événement"),
    "compliance.actor": ("Actor", "Acteur"),
    "compliance.target": ("Target", "Cible"),
    "compliance.when": ("When", "Quand"),
    "compliance.checked": ("{n} events checked", "{n} événements vérifiés"),
    "compliance.first_broken": ("First broken link", "Premier maillon rompu"),
    "compliance.open_review": ("Open a review", "Ouvrir une revue"),
    "compliance.keep": ("Keep", "Conserver"),
    "compliance.close_review": ("Close the review", "Clore la revue"),
    "compliance.review_of": ("Review of {domain}", "Revue de {domain}"),
    "compliance.pending_items": ("{n} grants still to decide", "{n} attributions à décider"),
    "compliance.suspended": ("Suspended", "Suspendu"),
    "compliance.subject_active": ("Active in the directory", "Actif dans l'annuaire"),
    "grants.subject": ("Person (id)", "Personne (identifiant)"),
    "grants.valid_to": ("Until (optional)", "Jusqu'au (facultatif)"),
    "grants.active": ("Grants in force", "Attributions en vigueur"),
    "grants.filter": ("Show the grants of", "Afficher les attributions de"),
    "error.title": ("Something went wrong", "Un problème est survenu"),
    "error.service_down": (
        "The {service} service is not answering right now. Nothing was changed. "
        "Please try again in a moment.",
        "Le service {service} ne répond pas pour le moment. Rien n'a été modifié. "
        "Réessayez dans un instant.",
    ),
    "error.not_found": (
        "This page does not exist, or you may not see it.",
        "Cette page n'existe pas, ou vous n'avez pas le droit de la voir.",
    ),
    "error.refused": ("Not allowed", "Non autorisé"),
    "error.csrf": (
        "This form expired or did not come from Townhall. Reload the page and try again.",
        "Ce formulaire a expiré ou ne vient pas de Townhall. Rechargez la page et réessayez.",
    ),
    "error.unexpected": (
        "An unexpected error occurred. It has been logged.",
        "Une erreur inattendue s'est produite. Elle a été enregistrée.",
    ),
    "error.back": ("Back to the feed", "Retour au fil"),
    **REACH_MESSAGES,
    **SEARCH_MESSAGES,
    **OBJECTIVES_MESSAGES,
    **OFFICIAL_MESSAGES,
    **COMPLIANCE_MESSAGES,
}

MESSAGES.update(WORDS)


def negotiate(accept_language: str | None, chosen: str | None) -> str:
    """The user's choice if any, else the first supported language the browser prefers."""
    if chosen in LANGUAGES:
        return str(chosen)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def translator(language: str) -> Callable[..., str]:
    """`t(key, **values)` in `language`; an unknown key (or an API's text) shows itself."""
    index = LANGUAGES.index(language) if language in LANGUAGES else 0

    def t(key: str, **values: Any) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            # A text from an API, shown as it came (never formatted: it may hold braces).
            return key
        return entry[index].format(**values) if values else entry[index]

    return t
