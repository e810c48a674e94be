"""Messages of search's best bets, "did you mean" and the vocabulary page, English then
French (merged into `i18n.MESSAGES`)."""

from __future__ import annotations

SEARCH_MESSAGES: dict[str, tuple[str, str]] = {
    "search.best_bet": ("Recommended", "Recommandé"),
    "search.best_bets": ("Recommended by communications", "Recommandés par la communication"),
    "search.did_you_mean": ("Did you mean", "Vouliez-vous dire"),
    "nav.vocabulary": ("Search vocabulary", "Vocabulaire de recherche"),
    "vocabulary.title": ("Search vocabulary", "Vocabulaire de recherche"),
    "vocabulary.intro": (
        "Searches find every term of a group when any one of them is typed: synonyms, "
        "acronyms, French and English words. Changes apply to the next search, without "
        "reindexing.",
        "Une recherche trouve tous les termes d'un groupe dès que l'un d'eux est saisi : "
        "synonymes, sigles, mots français et anglais. Les changements valent dès la "
        "recherche suivante, sans réindexation.",
    ),
    "vocabulary.version": (
        "Version {version}, saved by {by} on {at}.",
        "Version {version}, enregistrée par {by} le {at}.",
    ),
    "vocabulary.shipped": (
        "Version 0: the vocabulary shipped with Townhall, never edited here yet.",
        "Version 0 : le vocabulaire livré avec Townhall, jamais modifié ici.",
    ),
    "vocabulary.groups": ("Groups of equivalent terms", "Groupes de termes équivalents"),
    "vocabulary.groups_help": (
        "One group per line, its terms separated by |, for example: "
        "télétravail | remote work | work from home",
        "Un groupe par ligne, ses termes séparés par |, par exemple : "
        "télétravail | remote work | work from home",
    ),
    "vocabulary.bets": ("Best bets", "Meilleures réponses"),
    "vocabulary.bets_help": (
        "Official posts shown first, marked, for searches holding one of the keywords, "
        "to people who may read them. Keywords separated by commas; up to five post "
        "identifiers separated by spaces.",
        "Des publications officielles montrées en premier, signalées, aux recherches qui "
        "contiennent l'un des mots-clés, pour qui peut les lire. Mots-clés séparés par "
        "des virgules ; jusqu'à cinq identifiants de publication séparés par des espaces.",
    ),
    "vocabulary.bet": ("Best bet {n}", "Meilleure réponse {n}"),
    "vocabulary.keywords": ("Keywords", "Mots-clés"),
    "vocabulary.posts": ("Post identifiers", "Identifiants des publications"),
    "vocabulary.save": ("Save a new version", "Enregistrer une nouvelle version"),
    "vocabulary.saved": ("The vocabulary is saved.", "Le vocabulaire est enregistré."),
    "vocabulary.stale": (
        "Someone saved the vocabulary while you were editing it, so your changes were "
        "not saved. They are kept below; the version saved meanwhile is shown under "
        "them. Bring in what you need and save again.",
        "Quelqu'un a enregistré le vocabulaire pendant que vous le modifiiez : vos "
        "changements n'ont pas été enregistrés. Ils sont gardés ci-dessous ; la version "
        "enregistrée entre-temps est affichée dessous. Reprenez ce qu'il faut et "
        "enregistrez à nouveau.",
    ),
    "vocabulary.newer": (
        "Version {version}, saved meanwhile by {by}",
        "Version {version}, enregistrée entre-temps par {by}",
    ),
    "vocabulary.newer_bets": ("Its best bets", "Ses meilleures réponses"),
}
