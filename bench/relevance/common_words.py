"""Write the search service's table of common words (`python -m bench.relevance.common_words`).

The table (`services/search/src/townhall_search/index/data/common_words.txt`) lists the
French and English words of everyday language with how common each is (wordfreq's Zipf
scale, 10x, rounded), accents folded, the higher of the two languages kept. Search
weighs a query word by it: "comment", "how" or "policy" say less about a post than
"télétravail". It comes from general language, never from the index, so it reveals
nothing about any document. Regenerate it only when wordfreq's data changes.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import wordfreq

TABLE = (
    Path(__file__).parents[2] / "services/search/src/townhall_search/index/data/common_words.txt"
)
# Words rarer than this weigh fully anyway: they need no line.
MIN_ZIPF = 3.0


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def main() -> None:
    zipf: dict[str, int] = {}
    for language in ("fr", "en"):
        for word in wordfreq.get_frequency_dict(language):
            value = wordfreq.zipf_frequency(word, language)
            if value < MIN_ZIPF:
                continue
            folded = _fold(word)
            if folded.isalpha():
                zipf[folded] = max(zipf.get(folded, 0), round(value * 10))
    lines = [f"{word} {value}" for word, value in sorted(zipf.items())]
    TABLE.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} words written to {TABLE}")


if __name__ == "__main__":
    main()
