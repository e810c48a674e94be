"""Run the benchmarks and print one table each: `make bench` (or `uv run python -m bench`).

`python -m bench publishing` runs only the publishing benchmark, `python -m bench slice`
only the walking slice.
"""

from __future__ import annotations

import argparse

from bench import publishing_bench, slice_http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "which", nargs="*", choices=["slice", "publishing"], help="benchmarks to run (default: all)"
    )
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument(
        "--posts", type=int, default=100_000, help="posts seeded for the publishing benchmark"
    )
    parser.add_argument(
        "--load-requests", type=int, default=3000, help="requests per publishing load scenario"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="concurrent users")
    parser.add_argument("--freshness", type=int, default=50, help="publish-to-searchable samples")
    args = parser.parse_args()
    which = set(args.which or ["slice", "publishing"])
    if "slice" in which:
        slice_http.run(requests=args.requests)
    if "publishing" in which:
        publishing_bench.run(
            posts=args.posts,
            requests=args.load_requests,
            concurrency=args.concurrency,
            freshness=args.freshness,
        )


if __name__ == "__main__":
    main()
