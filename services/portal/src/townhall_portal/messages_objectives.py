"""Messages of the indicators' comparison and the objectives' export: English, then French."""

from __future__ import annotations

OBJECTIVES_MESSAGES: dict[str, tuple[str, str]] = {
    "objectives.week_on_week": (
        "The latest value against the value a week earlier",
        "La dernière valeur comparée à celle d'une semaine plus tôt",
    ),
    "objectives.change": ("Change", "Évolution"),
    "indicators.comparison": (
        "This period against the previous one",
        "Cette période comparée à la précédente",
    ),
    "indicators.comparison_intro": (
        "The last {n} weeks against the {n} weeks before them.",
        "Les {n} dernières semaines comparées aux {n} semaines d'avant.",
    ),
    "indicators.comparison_csv": ("Comparison (CSV)", "Comparaison (CSV)"),
    "indicators.figure": ("Figure", "Indicateur"),
    "indicators.previous": ("Previous period", "Période précédente"),
    "indicators.current": ("This period", "Cette période"),
    "indicators.change": ("Change", "Évolution"),
    "indicators.figure.social_posts": ("Social posts", "Messages"),
    "indicators.figure.official_posts": ("Official posts", "Communications officielles"),
    "indicators.figure.social_comments": ("Comments", "Commentaires"),
    "indicators.figure.official_answers": ("Official answers", "Réponses officielles"),
    "indicators.figure.active_contributors": ("Active contributors", "Contributeurs actifs"),
    "indicators.figure.official_reach_rate": ("Official reach", "Portée des communications"),
    "indicators.figure.official_readers": ("Readers of official posts", "Lecteurs"),
    "indicators.figure.official_audience": ("Audience of official posts", "Audience"),
    "indicators.figure.acknowledgement_rate": (
        "Acknowledgement rate",
        "Taux d'accusé de réception",
    ),
    "indicators.figure.acknowledgement_median_seconds": (
        "Median time to acknowledge",
        "Délai médian d'accusé de réception",
    ),
    "indicators.figure.social_posts_with_reply": (
        "Social posts with a reply",
        "Messages ayant reçu une réponse",
    ),
    "indicators.figure.social_reply_share": ("Share with a reply", "Part avec une réponse"),
    "objectives.export_all": (
        "Every objective with its value, target and status (CSV)",
        "Tous les objectifs avec valeur, cible et statut (CSV)",
    ),
}
