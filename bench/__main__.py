"""Run the benchmarks and print their tables: `make bench` (or `uv run python -m bench`).

`python -m bench policy` (or `publishing`, `search`, `slice`, `relevance`, `objectives`,
`notifications`) runs only that benchmark;
`python -m bench search --docs 100000` runs search on a smaller corpus;
`python -m bench mixed` (named only, never by default) runs the mixed load on two instances
of every service (bench/mixed_bench.py);
`python -m bench expansion --docs 100000 --opensearch-docs 10000` measures what query-time
expansion costs (only when named: it builds its own indexes);
`python -m bench compare --before REV` measures two trees in one run (see bench/compare.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import aliases, figures, key_figures

BENCHMARKS = (
    "slice",
    "policy",
    "publishing",
    "search",
    "objectives",
    "relevance",
    "notifications",
)
# Run only when named: the mixed load takes 20 minutes and more; the expansion
# benchmark builds indexes of its own.
ON_DEMAND = ("mixed", "expansion")


def main() -> None:
    if sys.argv[1:2] == ["compare"]:
        from bench import compare

        compare.main(sys.argv[2:])
        return
    aliases.install_from_environment()
    parser = argparse.ArgumentParser(description=__doc__)
    # Checked below, not by `choices`: Python 3.11 refuses an empty list against them.
    parser.add_argument(
        "only",
        nargs="*",
        help=f"benchmarks to run, among {', '.join(BENCHMARKS + ON_DEMAND)} (default: all but "
        f"{', '.join(ON_DEMAND)})",
    )
    parser.add_argument("--requests", type=int, default=300, help="slice: requests per measurement")
    parser.add_argument("--users", type=int, default=10_000, help="policy: users")
    parser.add_argument("--spaces", type=int, default=1_000, help="policy: spaces")
    parser.add_argument(
        "--memberships", type=int, default=100_000, help="policy: space memberships"
    )
    parser.add_argument(
        "--big-space-members",
        type=int,
        default=1_000,
        help="policy: members of the big space (who-can, and casbin's first decision there)",
    )
    parser.add_argument(
        "--decisions-only",
        action="store_true",
        help="policy: decisions in process and over HTTP only (bench/policy_decisions.py)",
    )
    parser.add_argument("--http-seconds", type=float, default=8.0, help="policy: HTTP load time")
    parser.add_argument(
        "--clients", type=int, default=8, help="policy: concurrent HTTP connections (or clients)"
    )
    parser.add_argument(
        "--load-generator",
        choices=("wrk", "httpx"),
        default="wrk",
        help="policy: wrk (C, falls back to httpx when missing) or Python httpx clients",
    )
    parser.add_argument(
        "--rate", type=float, default=2_000.0, help="policy: offered decisions/s (open loop)"
    )
    parser.add_argument("--workers", type=int, default=1, help="policy: uvicorn worker processes")
    parser.add_argument(
        "--posts", type=int, default=100_000, help="publishing: posts seeded before the load"
    )
    parser.add_argument(
        "--rates",
        default="100,200,300,400,500,600",
        help="publishing: open-loop request rates to step through (requests/s, comma-separated)",
    )
    parser.add_argument(
        "--step-seconds", type=float, default=15.0, help="publishing: seconds of load per rate"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="publishing: concurrent users")
    parser.add_argument(
        "--setups",
        default="sqlite:1,postgresql:2",
        help=(
            "publishing: setups to compare, DATABASE:WORKERS comma-separated (sqlite, or "
            "postgresql: throwaway databases on 127.0.0.1:5432; WORKERS: publishing's processes)"
        ),
    )
    parser.add_argument(
        "--freshness", type=int, default=50, help="publishing: publish-to-searchable samples"
    )
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
        "--corpus",
        default="wordfreq",
        choices=("wordfreq", "zipf150"),
        help="search: generated vocabulary (wordfreq: real word frequencies; "
        "zipf150: the first measurements' 150 words per language)",
    )
    parser.add_argument(
        "--engines",
        default=None,
        help="search: comma-separated engines among tantivy, postgres, sqlite, opensearch "
        "(default: all of them)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="also write the key figures of policy, publishing and search to this JSON file",
    )
    parser.add_argument(
        "--employees", type=int, default=5_000, help="objectives: generated employees"
    )
    parser.add_argument("--mixed-rate", type=float, default=300.0, help="mixed: requests/s offered")
    parser.add_argument("--minutes", type=float, default=10.0, help="mixed: minutes per run")
    parser.add_argument(
        "--mixed-posts", type=int, default=20_000, help="mixed: posts seeded and indexed"
    )
    parser.add_argument(
        "--mixed-search",
        choices=("opensearch", "tantivy"),
        default="opensearch",
        help="mixed: two search instances on osmem-server, or one on tantivy",
    )
    parser.add_argument(
        "--no-kill", action="store_true", help="mixed: skip the run with a killed instance"
    )
    parser.add_argument("--days", type=int, default=90, help="objectives: days of activity")
    parser.add_argument(
        "--raw-repeats",
        type=int,
        default=3,
        help="objectives: dashboards computed straight from the raw tables (slow at scale)",
    )
    parser.add_argument(
        "--audience",
        type=int,
        default=50_000,
        help="notifications: people an official post reaches",
    )
    parser.add_argument(
        "--mails", type=int, default=10_000, help="notifications: mails sent to measure the rate"
    )
    parser.add_argument(
        "--digest-users", type=int, default=50_000, help="notifications: people in the daily digest"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="notifications: a throwaway PostgreSQL database instead of SQLite",
    )
    args = parser.parse_args()
    if unknown := set(args.only) - set(BENCHMARKS) - set(ON_DEMAND):
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}")
    only = set(args.only) or set(BENCHMARKS)
    measured: list[figures.Figure] = []
    # Imported on demand: each benchmark pulls in its own service's code.
    if "slice" in only:
        from bench import slice_http

        slice_http.run(requests=args.requests)
    if "policy" in only:
        from bench import policy_bench, policy_decisions

        measure = policy_decisions.run if args.decisions_only else policy_bench.run
        policy_results = measure(
            scale=policy_bench.Scale(
                users=args.users,
                spaces=args.spaces,
                memberships=args.memberships,
                big_space_members=min(args.big_space_members, args.users),
            ),
            http_seconds=args.http_seconds,
            clients=args.clients,
            workers=args.workers,
            load_generator=args.load_generator,
            offered_rate=args.rate,
        )
        measured += key_figures.policy(policy_results)
    if "publishing" in only:
        from bench import publishing_bench

        publishing_results = publishing_bench.run(
            posts=args.posts,
            rates=[float(rate) for rate in args.rates.split(",")],
            seconds=args.step_seconds,
            concurrency=args.concurrency,
            freshness=args.freshness,
            setups=[publishing_bench.Setup.parse(setup) for setup in args.setups.split(",")],
        )
        measured += key_figures.publishing(publishing_results)
    if "search" in only:
        from bench import search_bench

        engines = args.engines.split(",") if args.engines else list(search_bench.ENGINES)
        search_results = search_bench.run(
            docs=args.docs,
            queries=args.queries,
            opensearch_docs=args.opensearch_docs,
            engines=[e.strip() for e in engines if e.strip()],
            corpus_name=args.corpus,
        )
        measured += key_figures.search(search_results)
    if "objectives" in only:
        from bench import objectives_bench

        objectives_bench.report(
            objectives_bench.run(
                employees=args.employees, days=args.days, raw_repeats=args.raw_repeats
            )
        )
    if "notifications" in only:
        from bench import notifications_bench

        notifications_bench.report(
            notifications_bench.run(
                audience=args.audience,
                mails=args.mails,
                digest_users=args.digest_users,
                postgres=args.postgres,
            ),
            "PostgreSQL" if args.postgres else "SQLite",
        )
    if "mixed" in only:
        from bench import mixed_bench

        mixed_bench.run(
            rate=args.mixed_rate,
            minutes=args.minutes,
            posts=args.mixed_posts,
            kill=not args.no_kill,
            search=args.mixed_search,
        )
    if "expansion" in only:
        from bench import expansion_bench

        expansion_bench.run(docs=args.docs, opensearch_docs=args.opensearch_docs)
    if "relevance" in only:
        from bench import relevance_bench

        engines = args.engines.split(",") if args.engines else list(relevance_bench.ENGINES)
        relevance_bench.run(engines=[e.strip() for e in engines if e.strip()])
    if args.json is not None:
        figures.write(args.json, measured)


if __name__ == "__main__":
    main()
