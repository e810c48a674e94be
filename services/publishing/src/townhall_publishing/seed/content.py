"""The demo content: posts and comments in French and English across the demo spaces.

Authors follow the demo permissions: official posts in `general` by the communications
staff with their authority; social posts in communities by their members; restricted
spaces only by their members.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMUNICATIONS = "Direction de la communication"


@dataclass(frozen=True)
class SeedPost:
    key: str
    space_id: str
    kind: str
    author_id: str
    title: str
    body: str
    authority: str | None = None


@dataclass(frozen=True)
class SeedComment:
    key: str
    post_key: str
    author_id: str
    body: str


SPACE_DESCRIPTIONS: dict[str, str] = {
    "general": "Annonces officielles de l'entreprise / Official company announcements.",
    "engineering": "Engineering community: releases, incidents, tooling.",
    "cafe": "La machine à café : tout ce qui n'est pas du travail.",
    "hr-confidential": "Espace restreint de l'équipe RH.",
    "projet-phoenix": "Projet Phoenix : équipe projet et prestataires.",
}


def _official(key: str, author: str, title: str, body: str) -> SeedPost:
    return SeedPost(key, "general", "official", author, title, body, COMMUNICATIONS)


def _social(key: str, space: str, author: str, title: str, body: str) -> SeedPost:
    return SeedPost(key, space, "social", author, title, body)


POSTS: tuple[SeedPost, ...] = (
    _official(
        "general-01",
        "claire",
        "Nouvelle charte de sécurité informatique",
        "La nouvelle charte de sécurité informatique entre en vigueur le 1er du mois. "
        "Elle précise l'usage des mots de passe, la double authentification et la "
        "protection des données de nos clients. Merci d'en prendre connaissance.",
    ),
    _official(
        "general-02",
        "marc",
        "Politique de télétravail 2026",
        "À partir de janvier, chaque collaborateur pourra choisir jusqu'à trois jours de "
        "télétravail par semaine, en accord avec son équipe. La FAQ du télétravail est "
        "disponible sur l'intranet.",
    ),
    _official(
        "general-03",
        "claire",
        "Welcome to Townhall",
        "Townhall is our new intranet: official announcements in Général, open discussion "
        "in the communities. Onboarding sessions run every Monday for newcomers.",
    ),
    _official(
        "general-04",
        "marc",
        "Quarterly results town hall",
        "Join the quarterly town hall on Thursday at 10:00. The leadership team will "
        "present the results and answer your questions live.",
    ),
    _official(
        "general-05",
        "claire",
        "Protection des données personnelles : rappel RGPD",
        "Les données personnelles de nos clients et de nos collègues ne quittent jamais "
        "les outils de l'entreprise. En cas de doute, contactez le délégué à la protection "
        "des données.",
    ),
    _official(
        "general-06",
        "marc",
        "Fermeture des bureaux le 26 décembre",
        "Les bureaux de Paris et de Lyon seront fermés le 26 décembre. Les équipes "
        "d'astreinte restent joignables comme d'habitude.",
    ),
    _official(
        "general-07",
        "claire",
        "New security awareness training",
        "A short security awareness training is now mandatory for everyone: phishing, "
        "passwords and reporting incidents. It takes twenty minutes.",
    ),
    _official(
        "general-08",
        "marc",
        "A new onboarding programme for new hires",
        "From next month every new hire follows a two-week onboarding programme with a "
        "buddy from another department.",
    ),
    _official(
        "general-09",
        "claire",
        "Semaine de la qualité de vie au travail",
        "Ateliers, conférences et petits-déjeuners : le programme de la semaine de la "
        "qualité de vie au travail est en ligne.",
    ),
    _official(
        "general-10",
        "claire",
        "Office move: the Lyon site",
        "The Lyon team moves to the new building on the 15th. Desks are assigned by team; "
        "the facilities desk answers questions all week.",
    ),
    _social(
        "engineering-01",
        "engineering",
        "alice",
        "Release 4.2 is out",
        "Release 4.2 shipped this morning: faster search, a new export and forty bug fixes. "
        "Thanks to everyone who tested the release candidate.",
    ),
    _social(
        "engineering-02",
        "engineering",
        "bob",
        "Postmortem: database failover on Tuesday",
        "The primary database failed over at 14:02; writes paused for ninety seconds. "
        "The postmortem and the follow-up actions are in the wiki.",
    ),
    _social(
        "engineering-03",
        "engineering",
        "alice",
        "Revue de sécurité du pipeline CI",
        "Nous avons passé en revue la sécurité du pipeline d'intégration continue : "
        "secrets tournants, images signées et dépendances épinglées.",
    ),
    _social(
        "engineering-04",
        "engineering",
        "bob",
        "Astreinte : nouveau planning",
        "Le planning d'astreinte du trimestre est publié. Échangez vos créneaux entre vous "
        "et prévenez-moi avant vendredi.",
    ),
    _social(
        "engineering-05",
        "engineering",
        "david",
        "What customers say about the release",
        "Customers love the new export in the last release; two of them asked for a CSV "
        "option. Happy to bring them to a demo.",
    ),
    _social(
        "engineering-06",
        "engineering",
        "farid",
        "Deploy windows and the warehouse scanners",
        "Could deploys avoid 6:00-8:00? The warehouse scanners sync at that time and the "
        "night shift hands over.",
    ),
    _social(
        "engineering-07",
        "engineering",
        "alice",
        "Security checklist for pull requests",
        "I drafted a short security checklist for pull requests: input validation, secrets, "
        "dependencies, logging. Comments welcome.",
    ),
    _social(
        "engineering-08",
        "engineering",
        "bob",
        "Migration des données vers PostgreSQL 17",
        "La migration des données vers PostgreSQL 17 aura lieu samedi. Coupure prévue de "
        "trente minutes, retour arrière préparé.",
    ),
    _social(
        "engineering-09",
        "engineering",
        "alice",
        "Onboarding guide for new engineers",
        "The onboarding guide for engineers is updated: laptop setup, access requests and "
        "your first pull request in a day.",
    ),
    _social(
        "engineering-10",
        "engineering",
        "bob",
        "Release train calendar for Q1",
        "The release train leaves every other Tuesday in Q1. Feature flags for anything "
        "that is not ready.",
    ),
    _social(
        "cafe-01",
        "cafe",
        "gaelle",
        "Qui est partant pour un afterwork jeudi ?",
        "Afterwork jeudi soir à la brasserie d'en face, à partir de 18h30. Tout le monde "
        "est bienvenu !",
    ),
    _social(
        "cafe-02",
        "cafe",
        "chloe",
        "Astuces pour bien vivre le télétravail",
        "Mes astuces de télétravail : une vraie pause déjeuner, une fenêtre, et couper les "
        "notifications après 19h. Et vous ?",
    ),
    _social(
        "cafe-03",
        "cafe",
        "farid",
        "Running club every Wednesday",
        "We run five kilometres along the river every Wednesday at 12:15. All paces welcome.",
    ),
    _social(
        "cafe-04",
        "cafe",
        "emma",
        "Recette du midi : la soupe de potiron",
        "Ma soupe de potiron au lait de coco, parfaite pour la cantine de l'étage. Recette "
        "en commentaire si ça vous tente.",
    ),
    _social(
        "cafe-05",
        "cafe",
        "alice",
        "Book club: next month's pick",
        "Next month we read 'The Left Hand of Darkness'. We meet in the library corner on "
        "the last Friday.",
    ),
    _social(
        "cafe-06",
        "cafe",
        "gaelle",
        "The coffee machine on floor 3 is fixed",
        "Good news: the coffee machine on the third floor works again. Bad news: still no "
        "oat milk.",
    ),
    _social(
        "cafe-07",
        "cafe",
        "farid",
        "Covoiturage depuis Villeurbanne",
        "Je pars de Villeurbanne tous les matins vers 8h. Deux places libres dans la "
        "voiture, participation bienvenue en croissants.",
    ),
    _social(
        "cafe-08",
        "cafe",
        "chloe",
        "Show us your home office",
        "Remote days are here to stay: share a photo of your desk setup and your best "
        "ergonomic tip.",
    ),
    _social(
        "hr-confidential-01",
        "hr-confidential",
        "emma",
        "Campagne des entretiens annuels",
        "La campagne des entretiens annuels démarre le 5. Les supports sont dans le dossier "
        "RH ; merci de relire les grilles d'ici là.",
    ),
    _social(
        "hr-confidential-02",
        "hr-confidential",
        "chloe",
        "Données salariales : accès restreint",
        "Rappel : les données salariales ne sont consultables que dans l'outil de paie. "
        "Aucun export sur les disques partagés.",
    ),
    _social(
        "hr-confidential-03",
        "hr-confidential",
        "emma",
        "Onboarding checklist for January hires",
        "Twelve people join in January. The onboarding checklist covers contracts, badges, "
        "laptops and buddies.",
    ),
    _social(
        "hr-confidential-04",
        "hr-confidential",
        "chloe",
        "Draft: parental leave policy update",
        "Here is the draft of the parental leave update before it goes to the works "
        "council. Please review by Friday.",
    ),
    _social(
        "hr-confidential-05",
        "hr-confidential",
        "emma",
        "Accord télétravail : points à négocier",
        "Pour l'accord télétravail, trois points restent ouverts : l'indemnité, le "
        "matériel et le droit à la déconnexion.",
    ),
    _social(
        "hr-confidential-06",
        "hr-confidential",
        "chloe",
        "Security of HR files on shared drives",
        "We found two HR files on a shared drive. Security and IT removed them; let us "
        "remind managers of the rules.",
    ),
    _social(
        "projet-phoenix-01",
        "projet-phoenix",
        "alice",
        "Phoenix : lancement du projet",
        "Le projet Phoenix démarre : refonte du portail client en six mois. Réunion de "
        "lancement lundi à 9h30.",
    ),
    _social(
        "projet-phoenix-02",
        "projet-phoenix",
        "bob",
        "Phoenix architecture review",
        "The architecture review is on Wednesday: services, data flows and the hosting "
        "plan. Slides in the project folder.",
    ),
    _social(
        "projet-phoenix-03",
        "projet-phoenix",
        "zoe",
        "Contractor access and security requirements",
        "As the external contractor I need VPN access and the security requirements for "
        "handling customer data on Phoenix.",
    ),
    _social(
        "projet-phoenix-04",
        "projet-phoenix",
        "alice",
        "Phoenix release plan",
        "First release to pilot customers in March, general release in June. Each release "
        "goes through the security review first.",
    ),
    _social(
        "projet-phoenix-05",
        "projet-phoenix",
        "bob",
        "Phoenix : sécurité des données clients",
        "Les données clients de Phoenix restent chiffrées au repos et en transit ; la "
        "sécurité valide chaque nouvel accès.",
    ),
    _social(
        "projet-phoenix-06",
        "projet-phoenix",
        "zoe",
        "Point d'avancement semaine 12",
        "Semaine 12 : maquettes validées, API de connexion terminée, tests de charge "
        "prévus la semaine prochaine.",
    ),
    _social(
        "projet-phoenix-07",
        "projet-phoenix",
        "alice",
        "Phoenix onboarding for new contributors",
        "Two engineers join Phoenix next week. The onboarding doc lists repositories, "
        "environments and who to ask.",
    ),
    _social(
        "projet-phoenix-08",
        "projet-phoenix",
        "bob",
        "Load test results",
        "The load test held 2,000 concurrent users with a p95 under 180 ms. Details and "
        "graphs in the report.",
    ),
)

COMMENTS: tuple[SeedComment, ...] = (
    SeedComment(
        "general-01-c1",
        "general-01",
        "alice",
        "Merci ! La double authentification sera-t-elle obligatoire sur mobile aussi ?",
    ),
    SeedComment(
        "general-01-c2", "general-01", "farid", "Is there a short summary for the warehouse?"
    ),
    SeedComment(
        "general-02-c1",
        "general-02",
        "chloe",
        "Très bonne nouvelle pour le télétravail, la FAQ répond à beaucoup de questions.",
    ),
    SeedComment(
        "general-02-c2",
        "general-02",
        "david",
        "Les jours de télétravail sont-ils fixes ou flexibles d'une semaine à l'autre ?",
    ),
    SeedComment("general-03-c1", "general-03", "hugo", "Thanks, glad to be on board!"),
    SeedComment(
        "general-08-c1",
        "general-08",
        "gaelle",
        "The buddy system worked great for my team, thanks for extending it.",
    ),
    SeedComment(
        "engineering-01-c1",
        "engineering-01",
        "bob",
        "Smoothest release in a while. The rollback plan stayed in the drawer.",
    ),
    SeedComment(
        "engineering-01-c2",
        "engineering-01",
        "farid",
        "The scanners picked up the release without a hitch.",
    ),
    SeedComment(
        "engineering-03-c1",
        "engineering-03",
        "bob",
        "Bravo pour la revue de sécurité, on applique la même chose aux scripts de déploiement ?",
    ),
    SeedComment(
        "engineering-07-c1",
        "engineering-07",
        "david",
        "Could the security checklist include a line on customer data in logs?",
    ),
    SeedComment(
        "engineering-08-c1",
        "engineering-08",
        "alice",
        "Je surveille les données de réplication pendant la migration.",
    ),
    SeedComment(
        "engineering-06-c1",
        "engineering-06",
        "alice",
        "Noted, we will move the deploy window to 9:00.",
    ),
    SeedComment("cafe-01-c1", "cafe-01", "emma", "Je viens avec deux collègues de la RH !"),
    SeedComment("cafe-01-c2", "cafe-01", "alice", "Partante, à jeudi !"),
    SeedComment("cafe-03-c1", "cafe-03", "gaelle", "Count me in for next Wednesday."),
    SeedComment(
        "cafe-02-c1", "cafe-02", "farid", "Couper les notifications, c'est le meilleur conseil."
    ),
    SeedComment(
        "hr-confidential-02-c1",
        "hr-confidential-02",
        "emma",
        "Merci, je relaie auprès des managers pour les données salariales.",
    ),
    SeedComment(
        "hr-confidential-03-c1",
        "hr-confidential-03",
        "chloe",
        "Badges are ordered; laptops arrive on the 8th.",
    ),
    SeedComment(
        "projet-phoenix-01-c1",
        "projet-phoenix-01",
        "bob",
        "Je prépare l'environnement de recette pour lundi.",
    ),
    SeedComment(
        "projet-phoenix-02-c1",
        "projet-phoenix-02",
        "zoe",
        "I will bring the hosting cost estimate to the review.",
    ),
    SeedComment(
        "projet-phoenix-03-c1",
        "projet-phoenix-03",
        "alice",
        "VPN access is requested; the security requirements are in the shared folder.",
    ),
    SeedComment(
        "projet-phoenix-06-c1",
        "projet-phoenix-06",
        "alice",
        "Merci Zoé, très bon point d'avancement.",
    ),
    SeedComment(
        "projet-phoenix-08-c1",
        "projet-phoenix-08",
        "zoe",
        "Great numbers. Can we rerun it after the next release?",
    ),
)
