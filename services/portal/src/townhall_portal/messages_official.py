"""Messages of writing an official post (audience picker, preview, drafts, withdrawal):
English, then French."""

from __future__ import annotations

OFFICIAL_MESSAGES: dict[str, tuple[str, str]] = {
    "official.audience_pick_help": (
        "Tick the groups to reach (none: everyone who can read the space).",
        "Cochez les groupes à atteindre (aucun : tous les lecteurs de l'espace).",
    ),
    "official.audience_typed": (
        "Other groups, by id (separated by commas)",
        "Autres groupes, par identifiant (séparés par des virgules)",
    ),
    "official.audience_total": (
        "Reaches at most {n} people (someone in two groups is counted twice).",
        "Atteint au plus {n} personnes (une personne dans deux groupes compte deux fois).",
    ),
    "official.audience_everyone": (
        "No group ticked: everyone who can read the space.",
        "Aucun groupe coché : tous les lecteurs de l'espace.",
    ),
    "official.save_draft": ("Save as draft", "Enregistrer le brouillon"),
    "official.draft_help": (
        "A draft keeps the text and the audience; the publication time is chosen when you "
        "submit it.",
        "Un brouillon garde le texte et le public ; la date de publication se choisit à la "
        "soumission.",
    ),
    "official.drafted": (
        "Saved as a draft: only you can see it. Edit it and submit it when it is ready.",
        "Brouillon enregistré : vous seul le voyez. Modifiez-le et soumettez-le quand il est prêt.",
    ),
    "official.preview_heading": (
        "Preview: as readers will see it",
        "Aperçu : tel que les lecteurs le verront",
    ),
    "official.withdraw": ("Withdraw to draft", "Retirer de la validation"),
    "official.withdrawn_notice": (
        "Withdrawn: the post is a draft again, out of the approvers' queue.",
        "Retiré : le message redevient un brouillon, hors de la file des validateurs.",
    ),
    "edit.save_draft": ("Save the draft", "Enregistrer le brouillon"),
    "step.withdraw": ("Withdrawn by its author", "Retiré par son auteur"),
}
