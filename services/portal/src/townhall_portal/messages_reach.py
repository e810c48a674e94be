"""Messages of the inbox, the feed tokens and the people lookup: English, then French."""

from __future__ import annotations

REACH_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.inbox": ("Inbox", "Notifications"),
    "nav.feeds": ("Feeds", "Flux"),
    "inbox.title": ("Inbox", "Notifications"),
    "inbox.unread_count": ("{n} unread", "{n} non lue(s)"),
    "inbox.read_all": ("Mark all read", "Tout marquer comme lu"),
    "inbox.mark_read": ("Mark read", "Marquer comme lu"),
    "inbox.open": ("Open", "Ouvrir"),
    "inbox.new": ("New", "Nouveau"),
    "inbox.older": ("Older notifications", "Notifications plus anciennes"),
    "inbox.empty": ("No notifications.", "Aucune notification."),
    "inbox.done_read": ("Marked read.", "Marquée comme lue."),
    "inbox.done_all_read": ("Everything is marked read.", "Tout est marqué comme lu."),
    "inbox.not_configured": (
        "Notifications are not set up on this Townhall.",
        "Les notifications ne sont pas configurées sur ce Townhall.",
    ),
    "inbox.unavailable": (
        "Notifications are unavailable right now. The rest of Townhall works; try again "
        "in a moment.",
        "Les notifications sont indisponibles pour le moment. Le reste de Townhall "
        "fonctionne ; réessayez dans un instant.",
    ),
    "inbox.not_found": ("No such notification.", "Cette notification n'existe pas."),
    "inbox.bad_cursor": (
        "This page of the inbox no longer exists.",
        "Cette page des notifications n'existe plus.",
    ),
    "inbox.kind.official_post": ("Official post", "Communication officielle"),
    "inbox.kind.acknowledgement_due": ("Acknowledgement due", "Accusé de réception attendu"),
    "inbox.kind.acknowledgement_reminder": (
        "Acknowledgement reminder",
        "Rappel d'accusé de réception",
    ),
    "inbox.kind.mention": ("Mention", "Mention"),
    "inbox.kind.reply": ("Reply", "Réponse"),
    "inbox.kind.official_answer": ("Official answer", "Réponse officielle"),
    "inbox.kind.endorsement": ("Endorsement", "Approbation"),
    "inbox.kind.approval_requested": ("Approval requested", "Validation demandée"),
    "inbox.kind.post_approved": ("Post approved", "Message validé"),
    "inbox.kind.post_rejected": ("Post rejected", "Message refusé"),
    "inbox.kind.post_published": ("Post published", "Message publié"),
    "inbox.kind.report_created": ("New report", "Nouveau signalement"),
    "inbox.kind.objective_report": ("Objective report", "Point sur un objectif"),
    "feeds.title": ("Feeds of official posts", "Flux des communications officielles"),
    "feeds.intro": (
        "Follow official posts in a news reader or your intranet portal: create a feed "
        "token, then give its address to the reader. The feed shows only what you may read, "
        "at each visit. Revoke a token you no longer use.",
        "Suivez les communications officielles dans un lecteur de flux ou votre portail "
        "intranet : créez un jeton de flux, puis donnez son adresse au lecteur. Le flux ne "
        "montre que ce que vous pouvez lire, à chaque visite. Révoquez un jeton inutilisé.",
    ),
    "feeds.created": ("Token “{name}” created", "Jeton « {name} » créé"),
    "feeds.once": (
        "Copy the address now: it is shown only this once.",
        "Copiez l'adresse maintenant : elle n'est affichée qu'une fois.",
    ),
    "feeds.all_url": ("Every official post", "Toutes les communications officielles"),
    "feeds.space_urls": ("One space's official posts", "Les communications d'un espace"),
    "feeds.create": ("New feed token", "Nouveau jeton de flux"),
    "feeds.name": ("Where will you use it?", "Où allez-vous l'utiliser ?"),
    "feeds.name_help": (
        "A name to recognise it, e.g. “My news reader” (100 characters at most).",
        "Un nom pour le reconnaître, par ex. « Mon lecteur de flux » (100 caractères au plus).",
    ),
    "feeds.name_required": (
        "Give the token a name of 1 to 100 characters.",
        "Donnez au jeton un nom de 1 à 100 caractères.",
    ),
    "feeds.create_button": ("Create the token", "Créer le jeton"),
    "feeds.yours": ("Your feed tokens", "Vos jetons de flux"),
    "feeds.since": ("created", "créé le"),
    "feeds.revoke": ("Revoke", "Révoquer"),
    "feeds.none": ("You have no feed token.", "Vous n'avez aucun jeton de flux."),
    "feeds.done_revoked": (
        "Token revoked: its feeds no longer answer.",
        "Jeton révoqué : ses flux ne répondent plus.",
    ),
    "feeds.copy": ("Copy", "Copier"),
    "feeds.copied": ("Copied", "Copié"),
    "people.title": ("Mention someone", "Mentionner quelqu'un"),
    "people.intro": (
        "Type @ followed by a person's id in a post or a comment to mention them. Find "
        "the id here.",
        "Tapez @ suivi de l'identifiant d'une personne dans un message ou un commentaire "
        "pour la mentionner. Trouvez l'identifiant ici.",
    ),
    "people.prefix": ("Name or id starts with", "Le nom ou l'identifiant commence par"),
    "people.find": ("Find", "Chercher"),
    "people.none": ("Nobody matches.", "Personne ne correspond."),
    "people.too_many": (
        "Too many searches: wait a moment and try again.",
        "Trop de recherches : patientez un instant et réessayez.",
    ),
    "mentions.hint": (
        "Type @ and a name to mention someone.",
        "Tapez @ et un nom pour mentionner quelqu'un.",
    ),
    "mentions.count": ("{n} people found", "{n} personne(s) trouvée(s)"),
}
