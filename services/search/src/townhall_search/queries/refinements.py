"""What a search adds to its hits: best bets first, and "did you mean".

Both come from what the caller may read only: a best bet is fetched within the
readers filter (an unreadable one is left out, as if it were not configured), and a
correction is a word marked in the highlights of the caller's own hits, offered only
for a word no readable document holds.
"""

from __future__ import annotations

from dataclasses import replace

from townhall_contracts.search import Hit

from ..index import IndexBackend, SearchQuery
from ..index.query_text import ParsedQuery, fold, fuzzy_distance, words_of
from ..vocabulary.service import Current, best_bet_posts

# A correction is offered for words at least this long (shorter ones are often names).
MIN_CORRECTED_CHARS = 4
# Corrections are looked for in this many first hits.
CORRECTION_HITS = 10


def best_bets(
    index: IndexBackend, query: SearchQuery, parsed: ParsedQuery, current: Current
) -> list[Hit]:
    """The readable official posts attached to keywords the query holds, in their order,
    within the search's own filters, marked."""
    ids = best_bet_posts(current, parsed.sequence or parsed.words)
    if not ids:
        return []
    page = index.search(
        replace(
            query,
            text="",
            kind="official",
            ids=ids,
            offset=0,
            limit=len(ids),
            facets=(),
            as_of=None,
        )
    )
    found = {hit.id: hit for hit in page.hits}
    return [found[i].model_copy(update={"best_bet": True}) for i in ids if i in found]


def did_you_mean(
    index: IndexBackend, query: SearchQuery, parsed: ParsedQuery, hits: list[Hit]
) -> str | None:
    """The query with each word no readable document holds replaced by the nearest word
    of the hits (found through typo tolerance), or None."""
    candidates = [w for w in parsed.words if len(w) >= MIN_CORRECTED_CHARS]
    if not candidates or not hits:
        return None
    unknown = index.unknown_words(candidates, query.principals)
    if not unknown:
        return None
    # Words of the caller's own hits, which typo tolerance found for the unknown words.
    seen = {
        fold(word)
        for text in index.texts([hit.id for hit in hits[:CORRECTION_HITS]], query.principals)
        for word in words_of(text)
    }
    corrections = {}
    for word in unknown:
        folded = fold(word)
        near = sorted(
            (distance, m)
            for m in seen
            if (distance := _edits(folded, m)) <= max(1, fuzzy_distance(folded))
        )
        if near:
            corrections[word] = near[0][1]
    if not corrections:
        return None
    return " ".join(corrections.get(word, word) for word in parsed.sequence or parsed.words)


def _edits(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions (a swap is one slip)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]
