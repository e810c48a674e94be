"""Generated French and English corpora with realistic permissions, the same every run.

Documents come in chunks, each generated from its own seed, so every engine can be
fed the same corpus without holding it in memory. Permissions: `SPACES` spaces,
60 % of them restricted (their posts read by members only), the others public (read
by every employee); each benchmark user is a member of 20 to 300 spaces.

Two vocabularies (`--corpus`):
- `wordfreq` (the default): the 30,000 most frequent words of each language with
  their real frequencies (the `wordfreq` package), so text has the long tail of real
  text; French elided articles are glued to the next word (`l'équipe`). Queries are
  what someone looking for a document types: words of a document's title (no
  stopword, at least three letters), two adjacent ones for a phrase.
- `zipf150` (the corpus of the first measurements): 150 business words per language
  drawn by a Zipf law, the language's stopwords in between; queries from the 60 most
  frequent words. Every query word matches a large share of the corpus, which real
  text does not do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate, pairwise

# The zipf150 corpus: business words per language and stopwords put between them.
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


CORPORA = ("wordfreq", "zipf150")
WORDFREQ_WORDS = 30_000
# The most frequent words, treated as stopwords when drawing query words.
WORDFREQ_QUERY_SKIP = 150
_ELIDED = frozenset({"l", "d", "qu", "c", "j", "n", "s", "m", "t", "jusqu", "lorsqu", "puisqu"})


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words of one language, their cumulative weights, and how text is made."""

    language: str
    words: list[str]
    cum: list[float]
    stop: list[str]  # inserted between words (zipf150 only)
    query_words: list[str]  # what queries draw from (zipf150 only)

    def text(self, rng: random.Random, n: int) -> str:
        picked = rng.choices(self.words, cum_weights=self.cum, k=n)
        out: list[str] = []
        for word in picked:
            if self.stop and rng.random() < 0.35:
                out.append(rng.choice(self.stop))
            if out and out[-1].endswith("'"):
                if word in _ELIDED:
                    continue  # never two elisions in a row
                out[-1] += word
            else:
                out.append(word + "'" if word in _ELIDED and self.language == "fr" else word)
        return " ".join(out).rstrip("'")


def _zipf(size: int) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) for rank in range(size)))


@cache
def vocabularies(name: str) -> tuple[Vocabulary, Vocabulary]:
    """(French, English) for a corpus name of `CORPORA`."""
    if name == "zipf150":
        return (
            Vocabulary("fr", FR_WORDS, _zipf(len(FR_WORDS)), FR_STOP, FR_WORDS[:60]),
            Vocabulary("en", EN_WORDS, _zipf(len(EN_WORDS)), EN_STOP, EN_WORDS[:60]),
        )
    if name != "wordfreq":
        raise ValueError(f"unknown corpus {name!r}; one of {', '.join(CORPORA)}")
    # Imported here: only this corpus needs the package and its word lists.
    import wordfreq

    def vocabulary(language: str) -> Vocabulary:
        frequencies = wordfreq.get_frequency_dict(language)
        listed = wordfreq.top_n_list(language, WORDFREQ_WORDS + 1000)
        words = [w for w in listed if w.isalpha()][:WORDFREQ_WORDS]
        weights = [frequencies[w] for w in words]
        return Vocabulary(language, words, list(accumulate(weights)), [], [])

    return vocabulary("fr"), vocabulary("en")


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


def chunk(index: int, size: int = CHUNK, *, total: int, corpus: str = CORPORA[0]) -> list[Doc]:
    """Documents `index * size` up to `total`, generated from the chunk's own seed."""
    rng = random.Random(7919 * index + 1)
    french_words, english_words = vocabularies(corpus)
    docs = []
    for n in range(index * size, min(total, (index + 1) * size)):
        french = rng.random() < 0.5
        words = french_words if french else english_words
        space = rng.randrange(SPACES)
        author = f"user{rng.randrange(AUTHORS)}"
        audience = f"space:s{space}" if is_restricted(space) else "org"
        docs.append(
            Doc(
                id=f"d{n}",
                language="fr" if french else "en",
                title=words.text(rng, rng.randint(3, 7)).capitalize(),
                body=words.text(rng, rng.randint(25, 70)) + ".",
                kind="official" if rng.random() < 0.1 else "social",
                space_id=f"s{space}",
                author_id=author,
                created_at=BASE + timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
                readers=(audience, f"user:{author}", "auditor:org"),
            )
        )
    return docs


def chunks(total: int, size: int = CHUNK, corpus: str = CORPORA[0]) -> Iterator[list[Doc]]:
    """The whole corpus, chunk by chunk."""
    for index in range((total + size - 1) // size):
        yield chunk(index, size, total=total, corpus=corpus)


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


def queries(count: int, *, docs: int, corpus: str = CORPORA[0], seed: int = 42) -> list[BenchQuery]:
    """A mix of one-word, multi-word, phrase and filtered queries, by random users."""
    if corpus == "zipf150":
        return _head_queries(count, seed)
    rng = random.Random(seed)
    french, english = vocabularies(corpus)
    skip = {*french.words[:WORDFREQ_QUERY_SKIP], *english.words[:WORDFREQ_QUERY_SKIP]}
    # Documents looked for come from a few chunks spread over the corpus (generating
    # a chunk per query would take minutes).
    sampled = rng.sample(range((docs + CHUNK - 1) // CHUNK), min(8, (docs + CHUNK - 1) // CHUNK))
    pool = [doc for index in sampled for doc in chunk(index, total=docs, corpus=corpus)]
    mix = []
    for n in range(count):
        principals = user_principals(rng)
        kind = ("one-word", "multi-word", "phrase", "filtered")[n % 4]
        # Words of the title of a document someone is looking for, as typed.
        while True:
            tokens = rng.choice(pool).title.lower().split()
            content = [w for w in tokens if len(w) >= 3 and w not in skip and w.isalpha()]
            pairs = [(a, b) for a, b in pairwise(tokens) if a in content and b in content]
            if kind == "phrase" and pairs:
                picked = rng.choice(pairs)
                mix.append(BenchQuery(kind, '"' + " ".join(picked) + '"', picked, principals))
                break
            if kind != "phrase" and len(content) >= (2 if kind == "multi-word" else 1):
                mix.append(_query(rng, kind, n, content, principals))
                break
    return mix


def _query(
    rng: random.Random, kind: str, n: int, words: Sequence[str], principals: frozenset[str]
) -> BenchQuery:
    if kind == "multi-word":
        picked = tuple(rng.sample(list(words), min(len(words), rng.randint(2, 3))))
        return BenchQuery(kind, " ".join(picked), picked, principals)
    picked = (rng.choice(words),)
    if kind == "one-word":
        return BenchQuery(kind, picked[0], picked, principals)
    spaces = sorted(p for p in principals if p.startswith("space:"))
    space = rng.choice(spaces).removeprefix("space:")
    return BenchQuery(
        kind,
        picked[0],
        picked,
        principals,
        space_id=space if n % 8 == 3 else None,
        official=n % 8 == 7,
    )


def _head_queries(count: int, seed: int) -> list[BenchQuery]:
    """The zipf150 mix: words from the head of the vocabulary."""
    rng = random.Random(seed)
    french, english = vocabularies("zipf150")
    mix = []
    for n in range(count):
        head = french.query_words if rng.random() < 0.5 else english.query_words
        principals = user_principals(rng)
        kind = ("one-word", "multi-word", "phrase", "filtered")[n % 4]
        if kind == "phrase":
            picked = tuple(rng.sample(head[:20], 2))
            mix.append(BenchQuery(kind, '"' + " ".join(picked) + '"', picked, principals))
        else:
            mix.append(_query(rng, kind, n, head, principals))
    return mix
