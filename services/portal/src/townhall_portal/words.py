"""Messages for people rather than machines: states, steps, times, audiences, refusals and
editing, English then French (merged into `i18n.MESSAGES`)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "state.draft": ("Draft", "Brouillon"),
    "state.submitted": ("Waiting for approval", "En attente de validation"),
    "state.approved": ("Approved", "Validé"),
    "state.rejected": ("Rejected", "Refusé"),
    "state.scheduled": ("Scheduled", "Programmé"),
    "state.published": ("Published", "Publié"),
    "state.hidden": ("Hidden", "Masqué"),
    "state.retracted": ("Retracted", "Retiré"),
    "state.deleted": ("Deleted", "Supprimé"),
    "step.draft": ("Drafted", "Rédigé"),
    "step.submit": ("Submitted for approval", "Soumis pour validation"),
    "step.approve": ("Approved", "Validé"),
    "step.reject": ("Rejected", "Refusé"),
    "step.schedule": ("Scheduled", "Programmé"),
    "step.schedule-missed": ("Schedule missed", "Programmation manquée"),
    "step.publish": ("Published", "Publié"),
    "step.retract": ("Retracted", "Retiré"),
    "step.edit": ("Edited", "Modifié"),
    "step.delete": ("Deleted", "Supprimé"),
    "step.hide": ("Hidden by a moderator", "Masqué par un modérateur"),
    "step.restore": ("Restored by a moderator", "Rétabli par un modérateur"),
    "search.kind.social": ("Social", "Social"),
    "search.kind.official": ("Official", "Officiel"),
    "search.kind.comment": ("Comment", "Commentaire"),
    "search.kind.post": ("Post", "Message"),
    "search.comment_on": ("Comment on «{title}»", "Commentaire sur « {title} »"),
    "time.zone": ("{city} time", "heure de {city}"),
    "time.publish_at": (
        "Publish at ({city} time, optional)",
        "Publier le (heure de {city}, facultatif)",
    ),
    "time.schedule_at": ("Publish at ({city} time)", "Publier le (heure de {city})"),
    "audience.one": ("{name} (1 person)", "{name} (1 personne)"),
    "audience.many": ("{name} ({n} people)", "{name} ({n} personnes)"),
    "audience.unknown": ("{name} (unknown group)", "{name} (groupe inconnu)"),
    "audience.unknown_groups": (
        "These groups do not exist: {groups}. Check their spelling: nobody would read the post.",
        "Ces groupes n'existent pas : {groups}. Vérifiez leur orthographe : "
        "personne ne lirait le message.",
    ),
    "audience.total": ("Reaches about {n} people.", "Atteint environ {n} personnes."),
    "approvals.own": (
        "You wrote this post: another approver must approve it.",
        "Vous avez écrit ce message : un autre valideur doit le valider.",
    ),
    "approvals.blocked": (
        "Cannot be approved: its audience names unknown groups.",
        "Ne peut pas être validé : son public nomme des groupes inconnus.",
    ),
    "edit.title": ("Edit the post", "Modifier le message"),
    "edit.link": ("Edit", "Modifier"),
    "edit.save": ("Save the changes", "Enregistrer les modifications"),
    "edit.saved": ("Your changes are saved.", "Vos modifications sont enregistrées."),
    "edit.resubmit": ("Save and submit again", "Enregistrer et soumettre à nouveau"),
    "edit.rejected_because": ("Rejected because", "Refusé pour le motif"),
    "delete.post": ("Delete this post", "Supprimer ce message"),
    "delete.comment": ("Delete", "Supprimer"),
    "delete.done": ("The post is deleted.", "Le message est supprimé."),
    "delete.comment_done": ("Your comment is deleted.", "Votre commentaire est supprimé."),
    "comment.edit": ("Edit your comment", "Modifier votre commentaire"),
    "comment.save": ("Save", "Enregistrer"),
    "post.unreact": ("Unlike", "Je n'aime plus"),
    "post.unendorse": ("Withdraw the endorsement", "Retirer l'approbation officielle"),
    "post.unendorsed": ("Endorsement withdrawn.", "Approbation officielle retirée."),
    "refusal.details": ("Technical details", "Détails techniques"),
    "refusal.action": (
        "You may not do this here ({action}).",
        "Vous ne pouvez pas faire cela ici ({action}).",
    ),
    "refusal.form": (
        "You may not use this page. Ask your manager or the communications team if you need to.",
        "Vous ne pouvez pas utiliser cette page. Adressez-vous à votre responsable "
        "ou à l'équipe communication si besoin.",
    ),
    "refusal.post.official": (
        "Only the communications team can publish official posts here. "
        "Ask them to publish it for you.",
        "Seule l'équipe communication peut publier des messages officiels ici. "
        "Demandez-lui de le publier pour vous.",
    ),
    "refusal.post.social": (
        "You may not write in this space. Ask its owner to add you.",
        "Vous ne pouvez pas écrire dans cet espace. Demandez à son responsable de vous ajouter.",
    ),
    "refusal.comment": ("You may not comment here.", "Vous ne pouvez pas commenter ici."),
    "refusal.react": ("You may not react here.", "Vous ne pouvez pas réagir ici."),
    "refusal.approve.official": (
        "Only approvers can approve official posts, and never their own.",
        "Seuls les valideurs peuvent valider un message officiel, jamais le leur.",
    ),
    "refusal.publish.official": (
        "Only the communications team can publish official posts.",
        "Seule l'équipe communication peut publier les messages officiels.",
    ),
    "refusal.moderate": (
        "Only moderators can do this.",
        "Seuls les modérateurs peuvent faire cela.",
    ),
    "refusal.endorse": (
        "Only the official voice of the company can endorse posts.",
        "Seule la voix officielle de l'entreprise peut approuver un message.",
    ),
    "refusal.conflict": (
        "This changed in the meantime. Reload the page and try again.",
        "Cela a changé entre-temps. Rechargez la page et réessayez.",
    ),
    "table.region": ("Table (scrolls sideways)", "Tableau (défile horizontalement)"),
    "field.invalid": ("This value is not valid.", "Cette valeur n'est pas valide."),
    "field.reason": (
        "Give a reason of at least 3 characters.",
        "Indiquez un motif d'au moins 3 caractères.",
    ),
}
