"""Run every benchmark and print one table each: `make bench` (or `uv run python -m bench`)."""

from __future__ import annotations

import argparse

from bench import slice_http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    args = parser.parse_args()
    slice_http.run(requests=args.requests)


if __name__ == "__main__":
    main()
