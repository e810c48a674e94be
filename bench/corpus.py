"""A generated French and English corpus with realistic permissions, the same every run.

Documents come in chunks, each generated from its own seed, so every engine can be
fed the same corpus without holding it in memory. Words follow a Zipf law over a
vocabulary per language, with the language's stopwords in between. Permissions:
`SPACES` spaces, 60 % of them restricted (their posts read by members only), the
others public (read by every employee); each benchmark user is a member of 20 to
300 spaces.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

FR_WORDS = [
    "sécurité",
    "réunion",
    "projet",
    "équipe",
    "budget",
    "formation",
    "télétravail",
    "congés",
    "salaire",
    "entreprise",
    "client",
    "contrat",
    "rapport",
    "planning",
    "objectif",
    "stratégie",
    "service",
    "bureau",
    "réseau",
    "serveur",
    "déploiement",
    "application",
    "données",
    "confidentialité",
    "politique",
    "procédure",
    "audit",
    "qualité",
    "production",
    "livraison",
    "commande",
    "facture",
    "fournisseur",
    "achat",
    "vente",
    "marketing",
    "communication",
    "annonce",
    "événement",
    "séminaire",
    "atelier",
    "présentation",
    "document",
    "dossier",
    "archive",
    "courriel",
    "messagerie",
    "calendrier",
    "agenda",
    "priorité",
    "risque",
    "incident",
    "maintenance",
    "sauvegarde",
    "migration",
    "version",
    "logiciel",
    "matériel",
    "ordinateur",
    "imprimante",
    "badge",
    "accès",
    "parking",
    "cantine",
    "restaurant",
    "santé",
    "mutuelle",
    "retraite",
    "recrutement",
    "candidat",
    "entretien",
    "évaluation",
    "carrière",
    "mobilité",
    "mission",
    "déplacement",
    "voyage",
    "hôtel",
    "remboursement",
    "note",
    "frais",
    "signature",
    "validation",
    "approbation",
    "direction",
    "conseil",
    "comité",
    "assemblée",
    "élection",
    "représentant",
    "syndicat",
    "accord",
    "négociation",
    "réorganisation",
    "fusion",
    "acquisition",
    "croissance",
    "résultat",
    "trimestre",
    "année",
    "prévision",
    "indicateur",
    "tableau",
    "analyse",
    "étude",
    "enquête",
    "satisfaction",
    "innovation",
    "recherche",
    "développement",
    "brevet",
    "partenaire",
    "filiale",
    "usine",
    "entrepôt",
    "logistique",
    "transport",
    "stock",
    "inventaire",
    "environnement",
    "énergie",
    "déchet",
    "recyclage",
    "responsabilité",
    "éthique",
    "conformité",
    "règlement",
    "juridique",
    "litige",
    "assurance",
    "sinistre",
    "urgence",
    "évacuation",
    "incendie",
    "exercice",
]
EN_WORDS = [
    "security",
    "meeting",
    "project",
    "team",
    "budget",
    "training",
    "remote",
    "leave",
    "salary",
    "company",
    "customer",
    "contract",
    "report",
    "schedule",
    "goal",
    "strategy",
    "service",
    "office",
    "network",
    "server",
    "deployment",
    "application",
    "data",
    "privacy",
    "policy",
    "procedure",
    "audit",
    "quality",
    "production",
    "delivery",
    "order",
    "invoice",
    "supplier",
    "purchase",
    "sales",
    "marketing",
    "communication",
    "announcement",
    "event",
    "seminar",
    "workshop",
    "presentation",
    "document",
    "file",
    "archive",
    "email",
    "messaging",
    "calendar",
    "agenda",
    "priority",
    "risk",
    "incident",
    "maintenance",
    "backup",
    "migration",
    "version",
    "software",
    "hardware",
    "computer",
    "printer",
    "badge",
    "access",
    "parking",
    "canteen",
    "restaurant",
    "health",
    "insurance",
    "pension",
    "hiring",
    "candidate",
    "interview",
    "review",
    "career",
    "mobility",
    "mission",
    "travel",
    "trip",
    "hotel",
    "refund",
    "expense",
    "signature",
    "approval",
    "management",
    "board",
    "committee",
    "assembly",
    "election",
    "representative",
    "union",
    "agreement",
    "negotiation",
    "reorganization",
    "merger",
    "acquisition",
    "growth",
    "result",
    "quarter",
    "year",
    "forecast",
    "indicator",
    "dashboard",
    "analysis",
    "study",
    "survey",
    "satisfaction",
    "innovation",
    "research",
    "development",
    "patent",
    "partner",
    "subsidiary",
    "factory",
    "warehouse",
    "logistics",
    "transport",
    "inventory",
    "environment",
    "energy",
    "waste",
    "recycling",
    "responsibility",
    "ethics",
    "compliance",
    "regulation",
    "legal",
    "dispute",
    "claim",
    "emergency",
    "evacuation",
    "fire",
    "drill",
    "onboarding",
    "benefits",
    "payroll",
    "vendor",
    "roadmap",
    "release",
]
FR_STOP = [
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "un",
    "une",
    "et",
    "en",
    "pour",
    "sur",
    "dans",
    "avec",
    "au",
    "aux",
    "par",
    "est",
    "sont",
    "nous",
    "vous",
]
EN_STOP = [
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "and",
    "for",
    "on",
    "with",
    "at",
    "by",
    "is",
    "are",
    "we",
    "you",
    "this",
    "that",
    "from",
]

SPACES = 5000
RESTRICTED_SHARE = 0.6
AUTHORS = 3000
CHUNK = 5000
BASE = datetime(2023, 1, 1, tzinfo=UTC)
DAYS = 3 * 365


def _weights(size: int) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) for rank in range(size)))


_FR_CUM = _weights(len(FR_WORDS))
_EN_CUM = _weights(len(EN_WORDS))


def is_restricted(space: int) -> bool:
    """The first 60 % of spaces are restricted."""
    return space < SPACES * RESTRICTED_SHARE


@dataclass(frozen=True, slots=True)
class Doc:
    id: str
    language: str
    title: str
    body: str
    kind: str
    space_id: str
    author_id: str
    created_at: datetime
    readers: tuple[str, ...]


def _text(rng: random.Random, words: list[str], cum: list[float], stop: list[str], n: int) -> str:
    picked = rng.choices(words, cum_weights=cum, k=n)
    out = []
    for word in picked:
        if rng.random() < 0.35:
            out.append(rng.choice(stop))
        out.append(word)
    return " ".join(out)


def chunk(index: int, size: int = CHUNK, *, total: int) -> list[Doc]:
    """Documents `index * size` up to `total`, generated from the chunk's own seed."""
    rng = random.Random(7919 * index + 1)
    docs = []
    for n in range(index * size, min(total, (index + 1) * size)):
        french = rng.random() < 0.5
        words, cum, stop = (FR_WORDS, _FR_CUM, FR_STOP) if french else (EN_WORDS, _EN_CUM, EN_STOP)
        space = rng.randrange(SPACES)
        author = f"user{rng.randrange(AUTHORS)}"
        audience = f"space:s{space}" if is_restricted(space) else "org"
        docs.append(
            Doc(
                id=f"d{n}",
                language="fr" if french else "en",
                title=_text(rng, words, cum, stop, rng.randint(3, 7)).capitalize(),
                body=_text(rng, words, cum, stop, rng.randint(25, 70)) + ".",
                kind="official" if rng.random() < 0.1 else "social",
                space_id=f"s{space}",
                author_id=author,
                created_at=BASE + timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
                readers=(audience, f"user:{author}", "auditor:org"),
            )
        )
    return docs


def chunks(total: int, size: int = CHUNK) -> Iterator[list[Doc]]:
    """The whole corpus, chunk by chunk."""
    for index in range((total + size - 1) // size):
        yield chunk(index, size, total=total)


def user_principals(rng: random.Random) -> frozenset[str]:
    """An employee in 20 to 300 spaces, as policy would answer."""
    name = f"user{rng.randrange(AUTHORS)}"
    spaces = rng.sample(range(SPACES), rng.randint(20, 300))
    return frozenset({"org", f"user:{name}", *(f"space:s{s}" for s in spaces)})


@dataclass(frozen=True, slots=True)
class BenchQuery:
    kind: str  # one-word, multi-word, phrase, filtered
    text: str
    words: tuple[str, ...]
    principals: frozenset[str]
    space_id: str | None = None
    official: bool = False


def queries(count: int, seed: int = 42) -> list[BenchQuery]:
    """A mix of one-word, multi-word, phrase and filtered queries, by random users."""
    rng = random.Random(seed)
    mix = []
    for n in range(count):
        words = FR_WORDS if rng.random() < 0.5 else EN_WORDS
        principals = user_principals(rng)
        kind = ("one-word", "multi-word", "phrase", "filtered")[n % 4]
        # Query words are drawn from the head of the vocabulary, as people search.
        head = words[:60]
        if kind == "one-word":
            picked = (rng.choice(head),)
            mix.append(BenchQuery(kind, picked[0], picked, principals))
        elif kind == "multi-word":
            picked = tuple(rng.sample(head, rng.randint(2, 3)))
            mix.append(BenchQuery(kind, " ".join(picked), picked, principals))
        elif kind == "phrase":
            picked = tuple(rng.sample(head[:20], 2))
            mix.append(BenchQuery(kind, '"' + " ".join(picked) + '"', picked, principals))
        else:
            picked = (rng.choice(head),)
            spaces = sorted(p for p in principals if p.startswith("space:"))
            space = rng.choice(spaces).removeprefix("space:")
            mix.append(
                BenchQuery(
                    kind,
                    picked[0],
                    picked,
                    principals,
                    space_id=space if n % 8 == 3 else None,
                    official=n % 8 == 7,
                )
            )
    return mix
