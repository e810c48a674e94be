# ruff: noqa: E501  (data: sentences read better whole)
"""Distractors: posts about something else that share words with the judged topics
(a sales pipeline, a database of recipes, the opening hours of the gym, a badge for a
running race, someone on leave asking who waters the plants). None answers a query:
their grade is 0 for every query (GUIDE.md)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .collection import Post

# Per subject: French titles, French sentences, English titles, English sentences.
SUBJECTS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "sport": (
        [
            "Tournoi de foot inter-équipes",
            "Course solidaire : inscrivez-vous",
            "Horaires de la salle de sport",
        ],
        [
            "La salle de sport est ouverte de 7 h à 21 h, badge obligatoire.",
            "Le tournoi de football se joue le jeudi soir sur le terrain municipal.",
            "Nouvelle formation de l'équipe : deux attaquants et un gardien volontaire.",
            "Les inscriptions à la course du dimanche ferment vendredi.",
        ],
        ["Inter-team football tournament", "Charity run: sign up", "Gym opening hours"],
        [
            "The gym opens from 7 am to 9 pm, badge required.",
            "The football tournament is played on Thursday evenings at the town pitch.",
            "New team formation: two strikers and a volunteer goalkeeper.",
            "Sign-ups for Sunday's run close on Friday.",
        ],
    ),
    "sales": (
        ["Pipeline commercial du trimestre", "Nouveau client signé", "Objectifs de vente"],
        [
            "Le pipeline commercial atteint 4 millions d'euros ce trimestre.",
            "Bravo à l'équipe pour la signature d'un nouveau client dans la production alimentaire.",
            "La base de données clients a été nettoyée des doublons.",
            "Les objectifs de vente par région sont dans le tableau de bord.",
        ],
        ["Quarterly sales pipeline", "New client signed", "Sales targets"],
        [
            "The sales pipeline reaches 4 million euros this quarter.",
            "Well done to the team for signing a new client in food production.",
            "The customer database was cleaned of duplicates.",
            "Sales targets per region are on the dashboard.",
        ],
    ),
    "recipes": (
        [
            "Recette du vendredi : la tarte aux pommes",
            "Concours de pâtisserie",
            "Nos meilleures recettes",
        ],
        [
            "J'ai créé une petite base de données de recettes partagées, ajoutez les vôtres.",
            "Le concours de pâtisserie aura lieu mardi, le jury goûtera à 16 h.",
            "Pour la tarte, comptez trois pommes et une pâte brisée.",
            "Merci pour les gâteaux apportés ce matin en salle de pause.",
        ],
        ["Friday recipe: apple pie", "Baking contest", "Our best recipes"],
        [
            "I set up a small shared recipe database, add yours.",
            "The baking contest is on Tuesday, the jury tastes at 4 pm.",
            "For the pie, use three apples and shortcrust pastry.",
            "Thanks for the cakes brought to the break room this morning.",
        ],
    ),
    "plants": (
        ["Qui arrose les plantes ?", "Les plantes du 3e étage", "Atelier jardinage"],
        [
            "Je pars une semaine, quelqu'un peut arroser les plantes du bureau ?",
            "Les plantes vertes du troisième étage ont besoin de lumière.",
            "Un atelier jardinage a lieu sur la terrasse le midi.",
            "Le potager de la terrasse a donné ses premières tomates.",
        ],
        ["Who waters the plants?", "Third-floor plants", "Gardening workshop"],
        [
            "I am away for a week, can someone water the office plants?",
            "The third-floor plants need more light.",
            "A gardening workshop takes place on the terrace at lunchtime.",
            "The rooftop garden grew its first tomatoes.",
        ],
    ),
    "music": (
        ["Chorale de l'entreprise", "Concert de la fête de la musique", "Playlist de l'open space"],
        [
            "La chorale répète le mardi midi, toutes les voix sont bienvenues.",
            "Le concert aura lieu dans le hall, ouverture des portes à 18 h.",
            "Proposez vos morceaux pour la playlist commune.",
            "Le groupe de jazz cherche un batteur.",
        ],
        ["Company choir", "Music day concert", "Open space playlist"],
        [
            "The choir rehearses on Tuesday lunchtimes, all voices welcome.",
            "The concert is in the lobby, doors open at 6 pm.",
            "Suggest tracks for the shared playlist.",
            "The jazz band is looking for a drummer.",
        ],
    ),
    "books": (
        [
            "Club de lecture : le livre du mois",
            "Boîte à livres dans le hall",
            "Conseils de lecture",
        ],
        [
            "Le club de lecture discute du roman du mois jeudi à la pause déjeuner.",
            "Une boîte à livres est installée dans le hall : déposez, empruntez.",
            "Quelqu'un a lu le dernier prix littéraire ?",
            "Nouvelle politique de la boîte à livres : un livre pris, un livre rendu.",
        ],
        ["Book club: book of the month", "Book box in the lobby", "Reading tips"],
        [
            "The book club discusses the novel of the month on Thursday at lunch.",
            "A book box is now in the lobby: drop one, take one.",
            "Has anyone read the latest prize winner?",
            "New book box policy: take one, give one back.",
        ],
    ),
    "products": (
        [
            "Lancement de la nouvelle gamme",
            "Démo produit vendredi",
            "Retours clients sur la version 3",
        ],
        [
            "La nouvelle gamme de produits sera lancée en production le mois prochain.",
            "Venez voir la démo du produit vendredi dans la grande salle.",
            "Les retours clients sur la version 3 sont très positifs.",
            "Le nouveau tableau de bord affiche les données de ventes en temps réel.",
        ],
        ["New product line launch", "Product demo on Friday", "Customer feedback on version 3"],
        [
            "The new product line goes into production next month.",
            "Come to the product demo on Friday in the main room.",
            "Customer feedback on version 3 is very positive.",
            "The new dashboard shows sales data in real time.",
        ],
    ),
    "lost": (
        ["Objet trouvé : des clés", "Perdu : un parapluie noir", "Badge trouvé à l'accueil"],
        [
            "Un trousseau de clés a été trouvé en salle de réunion, il est à l'accueil.",
            "J'ai oublié mon parapluie noir à la cafétéria hier.",
            "Un badge a été trouvé devant l'ascenseur, récupérez-le à l'accueil.",
            "Une gourde bleue attend son propriétaire au deuxième étage.",
        ],
        ["Found: a set of keys", "Lost: a black umbrella", "Badge found at reception"],
        [
            "A set of keys was found in a meeting room, it is at reception.",
            "I left my black umbrella in the cafeteria yesterday.",
            "A badge was found by the lift, collect it at reception.",
            "A blue water bottle is waiting for its owner on the second floor.",
        ],
    ),
    "meetings": (
        [
            "Réserver une salle de réunion",
            "Salle de réunion en travaux",
            "Nouvelles salles de visioconférence",
        ],
        [
            "Les salles de réunion se réservent dans l'agenda partagé.",
            "La grande salle de réunion est en travaux jusqu'à la fin du mois.",
            "Deux nouvelles salles de visioconférence sont équipées d'écrans.",
            "Pensez à libérer la salle si la réunion est annulée.",
        ],
        ["Booking a meeting room", "Meeting room under works", "New video conference rooms"],
        [
            "Meeting rooms are booked in the shared calendar.",
            "The large meeting room is under works until the end of the month.",
            "Two new video conference rooms are equipped with screens.",
            "Please release the room if the meeting is cancelled.",
        ],
    ),
    "kudos": (
        ["Bravo à l'équipe support", "Merci pour l'accueil", "Félicitations pour le projet"],
        [
            "Un grand merci à l'équipe support pour sa réactivité cette semaine.",
            "Merci à tous pour l'accueil chaleureux dans l'équipe.",
            "Félicitations à l'équipe projet pour la mise en production réussie.",
            "Bravo aux nouveaux pour leur première présentation.",
        ],
        ["Kudos to the support team", "Thanks for the welcome", "Congratulations on the project"],
        [
            "Many thanks to the support team for their responsiveness this week.",
            "Thank you all for the warm welcome to the team.",
            "Congratulations to the project team on a smooth production release.",
            "Well done to the newcomers on their first presentation.",
        ],
    ),
}

# Words of the judged topics, mentioned in passing by posts about something else.
MENTIONS = {
    "fr": [
        "télétravail",
        "congés",
        "cantine",
        "parking",
        "formation",
        "badge",
        "bureau",
        "mutuelle",
        "base de données",
        "réunion",
        "nouveau collaborateur",
        "ordinateur",
    ],
    "en": [
        "remote work",
        "leave",
        "canteen",
        "parking",
        "training",
        "badge",
        "office",
        "database",
        "meeting",
        "laptop",
        "VPN",
        "password",
    ],
}
_MENTION = {
    "fr": "Petite pensée pour ceux qui parlent de {word} aujourd'hui : rien à voir, mais {sentence}",
    "en": "A thought for everyone talking about {word} today: nothing to do with it, but {sentence}",
}
COUNT = 680


def distractor_posts(rng: random.Random, start: datetime) -> list[Post]:
    from .collection import Post

    posts = []
    names = sorted(SUBJECTS)
    for n in range(COUNT):
        subject = names[n % len(names)]
        fr_titles, fr_sentences, en_titles, en_sentences = SUBJECTS[subject]
        language = "fr" if rng.random() < 0.55 else "en"
        titles, sentences = (
            (fr_titles, fr_sentences) if language == "fr" else (en_titles, en_sentences)
        )
        chosen = rng.sample(sentences, 2)
        body = " ".join(chosen)
        if n % 4 == 0:
            sentence = chosen[0][0].lower() + chosen[0][1:]
            body = _MENTION[language].format(word=rng.choice(MENTIONS[language]), sentence=sentence)
        posts.append(
            Post(
                id=f"x-{subject}-{n}",
                language=language,
                title=rng.choice(titles),
                body=body,
                kind="official" if n % 9 == 0 else "social",
                space_id="cafe",
                created_at=start + timedelta(days=rng.randrange(0, 300), minutes=n),
            )
        )
    return posts
