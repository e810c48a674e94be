"""Run the benchmarks and print their tables: `make bench` (or `uv run python -m bench`).

`python -m bench search --docs 100000` runs only the search benchmark on a smaller
corpus; `python -m bench slice` only the walking slice over HTTP.
"""

from __future__ import annotations

import argparse

from bench import search_bench, slice_http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "only", nargs="*", choices=["slice", "search"], help="benchmarks to run (default: all)"
    )
    parser.add_argument("--requests", type=int, default=300, help="slice: requests per measurement")
    parser.add_argument(
        "--docs", type=int, default=1_000_000, help="search: documents in the generated corpus"
    )
    parser.add_argument("--queries", type=int, default=400, help="search: queries in the mix")
    parser.add_argument(
        "--opensearch-docs",
        type=int,
        default=20_000,
        help="search: documents for OpenSearch on osmem (an in-memory test double); 0 skips it",
    )
    parser.add_argument(
        "--engines",
        default=",".join(search_bench.ENGINES),
        help="search: comma-separated engines among " + ", ".join(search_bench.ENGINES),
    )
    args = parser.parse_args()
    only = set(args.only) or {"slice", "search"}
    if "slice" in only:
        slice_http.run(requests=args.requests)
    if "search" in only:
        search_bench.run(
            docs=args.docs,
            queries=args.queries,
            opensearch_docs=args.opensearch_docs,
            engines=[e.strip() for e in args.engines.split(",") if e.strip()],
        )


if __name__ == "__main__":
    main()
