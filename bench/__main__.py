"""Run the benchmarks and print one table each: `make bench` (or `uv run python -m bench`).

`python -m bench policy` runs only the policy benchmark, `python -m bench slice` only the
walking slice over HTTP.
"""

from __future__ import annotations

import argparse

from bench import policy_bench, slice_http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "only", nargs="*", choices=["slice", "policy"], help="benchmarks to run (default: all)"
    )
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--users", type=int, default=10_000, help="policy: users")
    parser.add_argument("--spaces", type=int, default=1_000, help="policy: spaces")
    parser.add_argument(
        "--memberships", type=int, default=100_000, help="policy: space memberships"
    )
    parser.add_argument("--http-seconds", type=float, default=8.0, help="policy: HTTP load time")
    parser.add_argument("--clients", type=int, default=8, help="policy: concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=1, help="policy: uvicorn worker processes")
    args = parser.parse_args()
    selected = set(args.only or ["slice", "policy"])
    if "slice" in selected:
        slice_http.run(requests=args.requests)
    if "policy" in selected:
        policy_bench.run(
            scale=policy_bench.Scale(
                users=args.users,
                spaces=args.spaces,
                memberships=args.memberships,
                big_space_members=min(1_000, args.users),
            ),
            http_seconds=args.http_seconds,
            clients=args.clients,
            workers=args.workers,
        )


if __name__ == "__main__":
    main()
