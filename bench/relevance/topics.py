# ruff: noqa: E501  (data: sentences read better whole)
"""The topics of the judged collection: what each official post says, in French and in
English, the question an employee would ask about it, and the queries judged against it.

A facet is one thing an employee wants to know. Each facet line holds, per language,
the official post's title and body and the employee's question, then the queries
written for it as `language|type|text` (type `kw` keywords, `q` a natural question,
`acr` an acronym). A topic published in one language only (`langs` "fr" or "en") has
no text in the other: its other-language queries look for an answer in the other
language. See GUIDE.md for how grades follow from this.
"""

from __future__ import annotations

from typing import NamedTuple


class Facet(NamedTuple):
    key: str
    fr: tuple[str, str, str]  # title, body, question
    en: tuple[str, str, str]
    queries: tuple[str, ...]


class Topic(NamedTuple):
    id: str
    langs: str  # "both", "fr" or "en"
    space: str
    facets: tuple[Facet, ...]


def _f(key: str, fr: tuple[str, str, str], en: tuple[str, str, str], *queries: str) -> Facet:
    return Facet(key, fr, en, queries)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "teletravail",
        "both",
        "rh",
        (
            _f(
                "policy",
                (
                    "Nouvelle politique de télétravail",
                    "Chaque salarié peut télétravailler jusqu'à trois jours par semaine, après accord de son manager. La demande se fait dans l'outil RH avant le 15 du mois.",
                    "combien de jours de télétravail par semaine",
                ),
                (
                    "New remote work policy",
                    "Every employee may work remotely up to three days a week with their manager's approval. Requests go through the HR tool before the 15th of the month.",
                    "how many remote work days per week",
                ),
                "fr|kw|jours de télétravail",
                "en|kw|remote work days",
                "fr|q|combien de jours puis-je télétravailler par semaine ?",
                "en|q|how many days can I work from home?",
                "en|kw|home office policy",
            ),
            _f(
                "equipment",
                (
                    "Équipement du poste en télétravail",
                    "Les salariés en télétravail peuvent demander un écran, un casque et une chaise ergonomique sur le portail des services généraux.",
                    "comment obtenir un écran pour travailler à la maison",
                ),
                (
                    "Home office equipment",
                    "Remote workers can order a monitor, a headset and an ergonomic chair on the facilities portal.",
                    "how to get a monitor for working from home",
                ),
                "fr|kw|écran casque domicile",
                "en|kw|monitor headset home office",
                "fr|q|comment obtenir une chaise pour le télétravail ?",
            ),
        ),
    ),
    Topic(
        "mutuelle",
        "fr",
        "rh",
        (
            _f(
                "enrollment",
                (
                    "Adhésion à la mutuelle d'entreprise",
                    "L'adhésion à la mutuelle santé est obligatoire. Envoyez le bulletin d'adhésion et votre attestation de sécurité sociale aux ressources humaines dans le mois de votre arrivée.",
                    "comment adhérer à la mutuelle",
                ),
                ("", "", ""),
                "fr|kw|adhésion mutuelle",
                "en|kw|health insurance enrollment",
                "en|q|how do I enroll in the health insurance?",
                "fr|q|comment s'inscrire à la mutuelle ?",
            ),
            _f(
                "reimbursement",
                (
                    "Mutuelle : remboursement des lunettes et du dentiste",
                    "La mutuelle rembourse les lunettes jusqu'à 300 euros tous les deux ans et les soins dentaires à 150 %. Les demandes passent par l'espace adhérent.",
                    "combien rembourse la mutuelle pour les lunettes",
                ),
                ("", "", ""),
                "fr|kw|remboursement lunettes mutuelle",
                "en|kw|health insurance glasses reimbursement",
                "en|q|does the health insurance cover dental care?",
            ),
        ),
    ),
    Topic(
        "cantine",
        "fr",
        "services-generaux",
        (
            _f(
                "hours",
                (
                    "Horaires de la cantine",
                    "La cantine est ouverte de 11 h 30 à 14 h du lundi au vendredi. Le vendredi, un menu végétarien est proposé.",
                    "à quelle heure ouvre la cantine",
                ),
                ("", "", ""),
                "fr|kw|horaires cantine",
                "en|kw|canteen opening hours",
                "en|q|when does the cafeteria open?",
                "fr|q|à quelle heure ouvre le restaurant d'entreprise ?",
            ),
            _f(
                "badge",
                (
                    "Cantine : recharger son badge repas",
                    "Le badge repas se recharge à la borne du hall ou en ligne sur le portail restauration. La subvention employeur est déduite automatiquement.",
                    "comment recharger le badge de la cantine",
                ),
                ("", "", ""),
                "fr|kw|recharger badge cantine",
                "en|kw|top up canteen badge",
                "en|q|how do I add money to my lunch badge?",
            ),
        ),
    ),
    Topic(
        "conges",
        "both",
        "rh",
        (
            _f(
                "request",
                (
                    "Poser ses congés payés",
                    "Les congés payés se posent dans l'outil RH au moins deux semaines à l'avance. Le manager valide la demande sous cinq jours.",
                    "comment poser des congés payés",
                ),
                (
                    "Requesting paid leave",
                    "Paid leave is requested in the HR tool at least two weeks in advance. Your manager approves the request within five days.",
                    "how to request paid leave",
                ),
                "fr|q|comment poser des congés payés ?",
                "en|kw|paid leave request",
                "fr|kw|demande de congés",
                "en|q|how do I book vacation days?",
                "en|kw|holiday request",
            ),
            _f(
                "summer",
                (
                    "Congés d'été : dates limites",
                    "Les congés d'été doivent être posés avant le 31 mars. Chaque équipe garde une permanence en août.",
                    "date limite pour les congés d'été",
                ),
                (
                    "Summer holidays: deadlines",
                    "Summer holidays must be booked before March 31st. Each team keeps a skeleton crew in August.",
                    "deadline for summer holidays",
                ),
                "fr|kw|congés été date limite",
                "en|kw|summer vacation deadline",
                "fr|q|avant quand faut-il poser ses vacances d'été ?",
            ),
        ),
    ),
    Topic(
        "integration",
        "fr",
        "rh",
        (
            _f(
                "onboarding",
                (
                    "Intégration des nouveaux collaborateurs",
                    "Chaque nouveau collaborateur suit une journée d'accueil le premier lundi du mois : présentation de l'entreprise, remise du matériel et rencontre avec son parrain.",
                    "comment se passe l'intégration d'un nouveau collaborateur",
                ),
                ("", "", ""),
                "fr|q|comment se passe l'intégration d'un nouveau collaborateur ?",
                "en|kw|new hire onboarding",
                "en|q|what happens on my first day?",
                "fr|kw|journée d'accueil nouveaux arrivants",
            ),
            _f(
                "buddy",
                (
                    "Le parrainage des nouveaux arrivants",
                    "Un parrain accompagne chaque nouvel arrivant pendant ses trois premiers mois. Les volontaires s'inscrivent auprès des RH.",
                    "comment devenir parrain d'un nouvel arrivant",
                ),
                ("", "", ""),
                "fr|kw|parrain nouvel arrivant",
                "en|kw|onboarding buddy program",
                "fr|q|comment devenir parrain ?",
            ),
        ),
    ),
    Topic(
        "office",
        "both",
        "direction",
        (
            _f(
                "opening",
                (
                    "Ouverture du nouveau bureau de Lyon",
                    "Notre nouveau bureau de Lyon ouvre le 2 septembre, quartier Part-Dieu, avec 120 postes de travail et une salle de conférence.",
                    "quand ouvre le nouveau bureau",
                ),
                (
                    "Our new Lyon office opens",
                    "Our new office in Lyon opens on September 2nd in the Part-Dieu district, with 120 desks and a conference room.",
                    "when does the new office open",
                ),
                "en|kw|new office opening",
                "fr|kw|ouverture nouveau bureau",
                "fr|q|quand ouvrent les nouveaux locaux de Lyon ?",
                "en|kw|lyon office",
            ),
            _f(
                "move",
                (
                    "Déménagement : le plan des étages",
                    "Le déménagement a lieu le week-end du 30 août. Le plan des étages et l'attribution des postes sont disponibles auprès des services généraux.",
                    "où trouver le plan des étages après le déménagement",
                ),
                (
                    "Moving: the floor plan",
                    "The move takes place on the weekend of August 30th. The floor plan and desk assignments are available from facilities.",
                    "where is the floor plan after the move",
                ),
                "fr|kw|plan des étages déménagement",
                "en|kw|office move floor plan",
                "en|q|where will my desk be after the move?",
            ),
        ),
    ),
    Topic(
        "incident",
        "both",
        "it",
        (
            _f(
                "database",
                (
                    "Incident de production sur la base de données",
                    "Une panne de la base de données de production a interrompu la facturation pendant deux heures. La cause : un disque plein sur le serveur principal.",
                    "que s'est-il passé sur la base de données de production",
                ),
                (
                    "Production database incident",
                    "A production database outage stopped invoicing for two hours. Root cause: a full disk on the primary server.",
                    "what happened to the production database",
                ),
                "fr|kw|incident production base de données",
                "en|kw|production database outage",
                "en|q|why was invoicing down?",
                "fr|kw|panne base de donnees",
            ),
            _f(
                "postmortem",
                (
                    "Post-mortem : nos règles d'astreinte",
                    "Après chaque incident majeur, l'équipe d'astreinte rédige un post-mortem sous cinq jours. Le planning d'astreinte est dans le wiki.",
                    "où est le planning d'astreinte",
                ),
                (
                    "Postmortems and on-call rules",
                    "After each major incident, the on-call team writes a postmortem within five days. The on-call rota is in the wiki.",
                    "where is the on-call rota",
                ),
                "fr|kw|planning astreinte",
                "en|kw|on-call rota",
                "en|q|who writes the postmortem after an incident?",
            ),
        ),
    ),
    Topic(
        "ci",
        "en",
        "it",
        (
            _f(
                "slow",
                (
                    "CI pipeline too slow: what we are doing",
                    "Builds on the CI pipeline take 40 minutes. We are adding build caches and splitting the test jobs across more runners.",
                    "why is the CI pipeline so slow",
                ),
                ("", "", ""),
                "fr|kw|pipeline CI trop lent",
                "en|kw|slow CI builds",
                "en|q|why are builds taking so long?",
                "fr|q|pourquoi l'intégration continue est-elle si lente ?",
            ),
            _f(
                "runners",
                (
                    "New CI runners available",
                    "Teams can now request dedicated CI runners with 16 cores. Open a ticket with the platform team.",
                    "how to get a dedicated CI runner",
                ),
                ("", "", ""),
                "en|kw|dedicated ci runner",
                "fr|kw|serveur d'intégration continue dédié",
                "en|acr|CI runner request",
            ),
        ),
    ),
    Topic(
        "phishing",
        "both",
        "it",
        (
            _f(
                "alert",
                (
                    "Alerte hameçonnage : ne cliquez pas",
                    "Des courriels frauduleux imitent la direction financière. Ne cliquez sur aucun lien et signalez le message à la sécurité informatique.",
                    "que faire d'un courriel frauduleux",
                ),
                (
                    "Phishing alert: do not click",
                    "Fraudulent emails are impersonating the finance department. Do not click any link and report the message to IT security.",
                    "what to do with a suspicious email",
                ),
                "fr|kw|courriel frauduleux",
                "en|kw|phishing email report",
                "fr|q|comment signaler un mail suspect ?",
                "fr|kw|hameconnage",
                "en|kw|suspicious email",
            ),
            _f(
                "mfa",
                (
                    "Double authentification obligatoire",
                    "La double authentification devient obligatoire sur la messagerie à partir du 1er juin. Installez l'application d'authentification sur votre téléphone.",
                    "comment activer la double authentification",
                ),
                (
                    "Multi-factor authentication is mandatory",
                    "Multi-factor authentication becomes mandatory for email from June 1st. Install the authenticator app on your phone.",
                    "how to turn on multi-factor authentication",
                ),
                "fr|acr|MFA obligatoire",
                "en|acr|MFA setup",
                "fr|kw|double authentification",
                "en|q|how do I set up two-factor authentication?",
                "fr|acr|2FA messagerie",
            ),
        ),
    ),
    Topic(
        "frais",
        "both",
        "finance",
        (
            _f(
                "expenses",
                (
                    "Remboursement des notes de frais",
                    "Les notes de frais sont remboursées sous quinze jours. Joignez les justificatifs scannés dans l'outil de dépenses.",
                    "comment se faire rembourser une note de frais",
                ),
                (
                    "Expense report reimbursement",
                    "Expense reports are reimbursed within fifteen days. Attach scanned receipts in the expense tool.",
                    "how to get an expense report reimbursed",
                ),
                "fr|kw|remboursement note de frais",
                "en|kw|expense report receipts",
                "en|q|when will my expenses be paid back?",
                "fr|kw|notes de frai remboursement",
            ),
            _f(
                "travel",
                (
                    "Politique de voyage : train et hôtel",
                    "Le train est obligatoire pour les trajets de moins de quatre heures. Les hôtels se réservent via l'agence de voyage, dans la limite de 150 euros la nuit.",
                    "peut-on prendre l'avion pour un déplacement",
                ),
                (
                    "Travel policy: trains and hotels",
                    "Trains are required for trips under four hours. Hotels are booked through the travel agency, up to 150 euros a night.",
                    "can I fly for a business trip",
                ),
                "fr|kw|politique voyage hôtel",
                "en|kw|business travel hotel limit",
                "fr|q|puis-je prendre l'avion pour aller à Lyon ?",
            ),
        ),
    ),
    Topic(
        "cse",
        "fr",
        "rh",
        (
            _f(
                "elections",
                (
                    "Élections du comité social et économique",
                    "Les élections du CSE auront lieu du 4 au 6 novembre. Les listes de candidats sont à déposer avant le 15 octobre.",
                    "quand ont lieu les élections du CSE",
                ),
                ("", "", ""),
                "fr|acr|élections CSE",
                "fr|acr|elections du CE",
                "en|kw|works council elections",
                "fr|q|quand vote-t-on pour le comité social et économique ?",
            ),
            _f(
                "benefits",
                (
                    "CSE : chèques vacances et billetterie",
                    "Le comité social et économique propose des chèques vacances, des réductions sur les cinémas et une billetterie pour les parcs d'attractions.",
                    "que propose le CSE",
                ),
                ("", "", ""),
                "fr|kw|chèques vacances CSE",
                "en|kw|works council discounts",
                "fr|q|comment obtenir des places de cinéma moins chères ?",
            ),
        ),
    ),
    Topic(
        "formation",
        "both",
        "rh",
        (
            _f(
                "cpf",
                (
                    "Se former avec le CPF",
                    "Le compte personnel de formation finance des formations certifiantes. L'entreprise complète le financement pour les formations liées au poste.",
                    "comment utiliser son CPF",
                ),
                (
                    "Training with your personal training account",
                    "Your personal training account (CPF) funds certified courses. The company tops up funding for job-related training.",
                    "how to use my training account",
                ),
                "fr|acr|CPF formation",
                "en|kw|training budget",
                "fr|kw|compte personnel de formation",
                "en|q|can the company pay for my course?",
            ),
            _f(
                "catalog",
                (
                    "Catalogue de formations 2025",
                    "Le catalogue de formations internes propose des cours de management, d'anglais et de sécurité. Inscription auprès de votre manager.",
                    "où trouver le catalogue de formations",
                ),
                (
                    "2025 training catalogue",
                    "The internal training catalogue offers management, English and safety courses. Sign up with your manager.",
                    "where is the training catalogue",
                ),
                "fr|kw|catalogue formations",
                "en|kw|training catalog courses",
                "fr|q|comment s'inscrire à un cours d'anglais ?",
            ),
        ),
    ),
    Topic(
        "parking",
        "both",
        "services-generaux",
        (
            _f(
                "spaces",
                (
                    "Places de parking : nouvelle attribution",
                    "Les places de parking sont attribuées pour six mois. Les demandes se font sur le portail des services généraux ; priorité au covoiturage.",
                    "comment obtenir une place de parking",
                ),
                (
                    "Parking spaces: new allocation",
                    "Parking spaces are allocated for six months. Requests go through the facilities portal; carpoolers have priority.",
                    "how to get a parking space",
                ),
                "fr|kw|place de parking",
                "en|kw|car park space request",
                "fr|q|comment avoir une place au parking ?",
            ),
            _f(
                "bike",
                (
                    "Vélo : le local et l'indemnité",
                    "Un local à vélos sécurisé est au sous-sol. Le forfait mobilités durables rembourse jusqu'à 500 euros par an aux cyclistes.",
                    "existe-t-il une indemnité vélo",
                ),
                (
                    "Cycling: bike storage and allowance",
                    "A secure bike room is in the basement. The sustainable mobility allowance pays cyclists up to 500 euros a year.",
                    "is there a cycling allowance",
                ),
                "fr|kw|indemnité vélo",
                "en|kw|bike to work allowance",
                "fr|acr|forfait FMD vélo",
            ),
        ),
    ),
    Topic(
        "vpn",
        "en",
        "it",
        (
            _f(
                "connect",
                (
                    "VPN: connecting from home",
                    "Install the VPN client from the software centre and sign in with your company account. The VPN is required to reach internal tools from outside.",
                    "how to connect to the VPN",
                ),
                ("", "", ""),
                "en|acr|VPN connection",
                "fr|kw|connexion vpn depuis la maison",
                "fr|q|comment accéder aux outils internes depuis chez moi ?",
                "en|kw|vpn client install",
            ),
            _f(
                "outage",
                (
                    "VPN maintenance on Saturday",
                    "The VPN will be unavailable on Saturday from 8 pm to midnight for a gateway upgrade.",
                    "when is the VPN maintenance",
                ),
                ("", "", ""),
                "en|kw|vpn maintenance saturday",
                "fr|kw|maintenance VPN samedi",
                "en|q|is the VPN down this weekend?",
            ),
        ),
    ),
    Topic(
        "salaire",
        "fr",
        "rh",
        (
            _f(
                "payslip",
                (
                    "Bulletin de paie dématérialisé",
                    "Les bulletins de paie sont désormais disponibles dans le coffre-fort numérique. Ils y restent consultables pendant cinquante ans.",
                    "où trouver mon bulletin de paie",
                ),
                ("", "", ""),
                "fr|kw|bulletin de paie",
                "en|kw|payslip online",
                "en|q|where can I download my payslip?",
                "fr|kw|fiche de paye",
            ),
            _f(
                "raise",
                (
                    "Campagne des augmentations annuelles",
                    "La campagne des augmentations se déroule en février. Les entretiens annuels doivent être terminés avant le 31 janvier.",
                    "quand ont lieu les augmentations de salaire",
                ),
                ("", "", ""),
                "fr|kw|augmentation salaire",
                "en|kw|annual salary raise",
                "fr|q|quand sont les entretiens annuels ?",
            ),
        ),
    ),
    Topic(
        "securite",
        "both",
        "services-generaux",
        (
            _f(
                "fire",
                (
                    "Exercice d'évacuation incendie",
                    "Un exercice d'évacuation incendie aura lieu jeudi à 10 h. Suivez les guide-files vers le point de rassemblement du parking.",
                    "quand a lieu l'exercice incendie",
                ),
                (
                    "Fire evacuation drill",
                    "A fire evacuation drill takes place on Thursday at 10 am. Follow the fire wardens to the assembly point in the car park.",
                    "when is the fire drill",
                ),
                "fr|kw|exercice évacuation incendie",
                "en|kw|fire drill",
                "en|q|where is the assembly point?",
            ),
            _f(
                "firstaid",
                (
                    "Devenir sauveteur secouriste du travail",
                    "Les volontaires peuvent suivre la formation de sauveteur secouriste du travail, deux jours payés par l'entreprise.",
                    "comment devenir secouriste au travail",
                ),
                (
                    "Become a workplace first aider",
                    "Volunteers can take the workplace first aid course, two days paid by the company.",
                    "how to become a first aider",
                ),
                "fr|acr|formation SST",
                "en|kw|first aid training",
                "fr|kw|sauveteur secouriste",
            ),
        ),
    ),
    Topic(
        "handicap",
        "fr",
        "rh",
        (
            _f(
                "rqth",
                (
                    "Handicap : la reconnaissance RQTH",
                    "La reconnaissance de la qualité de travailleur handicapé ouvre droit à des aménagements de poste. La référente handicap vous accompagne en toute confidentialité.",
                    "à quoi sert la RQTH",
                ),
                ("", "", ""),
                "fr|acr|RQTH aménagement de poste",
                "en|kw|disability workplace adjustments",
                "fr|q|qui contacter pour un aménagement de poste ?",
            ),
            _f(
                "week",
                (
                    "Semaine européenne pour l'emploi des personnes handicapées",
                    "Pendant la semaine du handicap, des ateliers de sensibilisation ont lieu chaque midi dans l'auditorium.",
                    "quel est le programme de la semaine du handicap",
                ),
                ("", "", ""),
                "fr|kw|semaine handicap ateliers",
                "en|kw|disability awareness week",
            ),
        ),
    ),
    Topic(
        "retraite",
        "fr",
        "rh",
        (
            _f(
                "savings",
                (
                    "Épargne salariale : intéressement et participation",
                    "L'intéressement et la participation sont versés en mai. Vous pouvez les placer sur le plan d'épargne entreprise ou le PERCO.",
                    "quand est versé l'intéressement",
                ),
                ("", "", ""),
                "fr|kw|intéressement participation",
                "en|kw|profit sharing payout",
                "fr|acr|PEE abondement",
                "en|q|when is profit sharing paid?",
            ),
        ),
    ),
    Topic(
        "password",
        "en",
        "it",
        (
            _f(
                "reset",
                (
                    "Resetting your password",
                    "Forgotten your password? Use the self-service reset page with your phone number. Passwords expire every 180 days.",
                    "how do I reset my password",
                ),
                ("", "", ""),
                "en|kw|password reset",
                "fr|kw|réinitialiser mot de passe",
                "fr|q|j'ai oublié mon mot de passe, que faire ?",
                "en|kw|pasword expired",
            ),
            _f(
                "manager",
                (
                    "Use the password manager",
                    "Every employee has a licence for the company password manager. Store shared team credentials in vaults, never in documents.",
                    "which password manager should I use",
                ),
                ("", "", ""),
                "en|kw|password manager licence",
                "fr|kw|gestionnaire de mots de passe",
            ),
        ),
    ),
    Topic(
        "laptop",
        "both",
        "it",
        (
            _f(
                "renewal",
                (
                    "Renouvellement des ordinateurs portables",
                    "Les ordinateurs portables sont renouvelés tous les quatre ans. Le service informatique vous contacte pour choisir le modèle.",
                    "quand mon ordinateur sera-t-il renouvelé",
                ),
                (
                    "Laptop renewal",
                    "Laptops are replaced every four years. IT contacts you to choose the model.",
                    "when will my laptop be replaced",
                ),
                "fr|kw|renouvellement ordinateur portable",
                "en|kw|laptop replacement",
                "fr|acr|PC portable renouvellement",
                "en|q|can I get a new laptop?",
            ),
            _f(
                "broken",
                (
                    "Ordinateur en panne : le prêt de secours",
                    "En cas de panne, le support informatique prête un ordinateur de secours dans la journée. Ouvrez un ticket sur le portail d'assistance.",
                    "que faire si mon ordinateur tombe en panne",
                ),
                (
                    "Broken laptop: the loan machine",
                    "If your laptop breaks, IT support lends a spare machine the same day. Open a ticket on the help desk portal.",
                    "what to do if my laptop breaks",
                ),
                "fr|kw|ordinateur en panne prêt",
                "en|kw|broken laptop spare",
                "fr|acr|DSI ticket panne",
            ),
        ),
    ),
    Topic(
        "rse",
        "both",
        "direction",
        (
            _f(
                "carbon",
                (
                    "Bilan carbone de l'entreprise",
                    "Notre bilan carbone 2024 montre une baisse de 12 % des émissions, grâce au train et à la rénovation des bureaux.",
                    "quel est le bilan carbone de l'entreprise",
                ),
                (
                    "Our carbon footprint",
                    "Our 2024 carbon footprint shows emissions down 12 %, thanks to train travel and office renovation.",
                    "what is the company's carbon footprint",
                ),
                "fr|kw|bilan carbone émissions",
                "en|kw|carbon footprint emissions",
                "fr|acr|RSE bilan carbone",
                "en|q|are our emissions going down?",
            ),
            _f(
                "volunteer",
                (
                    "Journée de bénévolat solidaire",
                    "Chaque salarié peut consacrer une journée par an à une association partenaire, sur son temps de travail.",
                    "comment participer à la journée solidaire",
                ),
                (
                    "Volunteering day",
                    "Every employee can spend one working day a year volunteering for a partner charity.",
                    "how to join the volunteering day",
                ),
                "fr|kw|journée bénévolat association",
                "en|kw|volunteering day charity",
            ),
        ),
    ),
    Topic(
        "resultats",
        "both",
        "direction",
        (
            _f(
                "annual",
                (
                    "Résultats annuels : chiffre d'affaires en hausse",
                    "Le chiffre d'affaires progresse de 8 % sur l'année. La direction présentera les résultats lors de la réunion plénière du 12 mars.",
                    "quels sont les résultats de l'année",
                ),
                (
                    "Annual results: revenue up",
                    "Revenue grew 8 % over the year. Management will present the results at the all-hands meeting on March 12th.",
                    "what are this year's results",
                ),
                "fr|kw|résultats annuels chiffre d'affaires",
                "en|kw|annual results revenue",
                "fr|acr|CA annuel",
                "en|kw|all hands meeting",
            ),
        ),
    ),
    Topic(
        "accident",
        "fr",
        "rh",
        (
            _f(
                "declare",
                (
                    "Déclarer un accident du travail",
                    "Tout accident du travail ou de trajet doit être signalé aux RH sous 24 heures, avec un certificat médical.",
                    "comment déclarer un accident du travail",
                ),
                ("", "", ""),
                "fr|kw|accident du travail déclaration",
                "en|kw|workplace accident report",
                "fr|acr|AT déclaration 24h",
                "en|q|I got hurt on the way to work, what should I do?",
            ),
        ),
    ),
    Topic(
        "recrutement",
        "both",
        "rh",
        (
            _f(
                "referral",
                (
                    "Prime de cooptation",
                    "Recommandez un candidat : si il est recruté et reste six mois, vous recevez une prime de cooptation de 1 000 euros.",
                    "combien rapporte la cooptation",
                ),
                (
                    "Employee referral bonus",
                    "Refer a candidate: if they are hired and stay six months, you receive a 1,000 euro referral bonus.",
                    "how much is the referral bonus",
                ),
                "fr|kw|prime cooptation",
                "en|kw|referral bonus",
                "fr|q|combien gagne-t-on en recommandant un candidat ?",
                "en|q|can I recommend a friend for a job?",
            ),
            _f(
                "internal",
                (
                    "Mobilité interne : les offres",
                    "Les postes ouverts sont publiés en interne deux semaines avant l'externe. Parlez-en à votre responsable RH.",
                    "où voir les offres de mobilité interne",
                ),
                (
                    "Internal mobility: open positions",
                    "Open positions are posted internally two weeks before they go external. Talk to your HR partner.",
                    "where are internal job openings",
                ),
                "fr|kw|mobilité interne offres",
                "en|kw|internal job openings",
                "fr|acr|DRH mobilité",
            ),
        ),
    ),
    Topic(
        "wifi",
        "en",
        "it",
        (
            _f(
                "guest",
                (
                    "Guest Wi-Fi for visitors",
                    "Visitors connect to the guest Wi-Fi with a daily code printed at reception. The code changes every morning.",
                    "how do visitors get on the Wi-Fi",
                ),
                ("", "", ""),
                "en|kw|guest wifi code",
                "fr|kw|wifi invités code",
                "fr|q|comment connecter un visiteur au wifi ?",
            ),
        ),
    ),
    Topic(
        "mutuelle_prev",
        "fr",
        "rh",
        (
            _f(
                "prevoyance",
                (
                    "Prévoyance : arrêt maladie et invalidité",
                    "Le contrat de prévoyance maintient votre salaire pendant un arrêt maladie de longue durée et verse une rente en cas d'invalidité.",
                    "que couvre la prévoyance",
                ),
                ("", "", ""),
                "fr|kw|prévoyance arrêt maladie",
                "en|kw|sick leave disability insurance",
                "en|q|is my salary paid during long sick leave?",
            ),
        ),
    ),
    Topic(
        "afterwork",
        "both",
        "vie",
        (
            _f(
                "party",
                (
                    "Soirée de fin d'année",
                    "La soirée de fin d'année aura lieu le 19 décembre au restaurant du port. Inscription avant le 1er décembre.",
                    "quand est la soirée de fin d'année",
                ),
                (
                    "End-of-year party",
                    "The end-of-year party is on December 19th at the harbour restaurant. Sign up before December 1st.",
                    "when is the end of year party",
                ),
                "fr|kw|soirée fin d'année",
                "en|kw|christmas party",
                "en|q|when is the holiday party?",
                "fr|kw|soiree noel entreprise",
            ),
        ),
    ),
    Topic(
        "archives",
        "both",
        "it",
        (
            _f(
                "retention",
                (
                    "Durée de conservation des documents",
                    "Les contrats sont conservés dix ans, les factures six ans. Les archives papier partent chez le prestataire d'archivage chaque trimestre.",
                    "combien de temps garder les factures",
                ),
                (
                    "Document retention periods",
                    "Contracts are kept for ten years, invoices for six. Paper archives go to the storage provider each quarter.",
                    "how long to keep invoices",
                ),
                "fr|kw|conservation factures archives",
                "en|kw|document retention invoices",
                "fr|acr|RGPD conservation données",
                "en|acr|GDPR retention",
            ),
        ),
    ),
)
