"""The key figures of each benchmark's results, as `bench.figures.Figure`s.

Runs in the process that ran the benchmark (`python -m bench <name> --json PATH`), after
its tables are printed; the percentiles are the ones each benchmark prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench.figures import CPU_MILLISECONDS, MILLISECONDS, RATE, Figure

if TYPE_CHECKING:
    from bench.policy_bench import Results
    from bench.publishing_bench import Result

# policy_bench's figure keys, named for the table.
_POLICY = {
    "policy.in_process.per_s": ("decisions in process, warm, with explanation", RATE),
    "policy.http.per_s": ("decisions over HTTP, closed loop (wrk)", RATE),
    "policy.http.p95_ms": ("decisions over HTTP, closed loop (wrk), p95", MILLISECONDS),
    "policy.open_loop.per_s": ("decisions over HTTP at the offered rate: achieved", RATE),
    "policy.open_loop.p95_ms": ("decisions over HTTP at the offered rate, p95", MILLISECONDS),
}
# The rate at which publishing's figures are read: the goal's.
PUBLISHING_RATE = 200.0


def policy(results: Results) -> list[Figure]:
    return [
        Figure("policy", name, unit, results.figures[key])
        for key, (name, unit) in _POLICY.items()
        if key in results.figures
    ]


def publishing(results: list[Result]) -> list[Figure]:
    """Creating posts and the feed at 200/s, and publish → searchable, per setup."""
    from bench.publishing_bench import _percentile

    figures = []
    for result in results:
        benchmark = f"publishing, {result.setup}"
        for step in result.steps:
            if step.load.rate != PUBLISHING_RATE:
                continue
            what = "create a post" if step.scenario.startswith("POST") else "feed page"
            at = f"{what} at {PUBLISHING_RATE:.0f}/s"
            figures += [
                Figure(benchmark, f"{at}: achieved", RATE, step.load.achieved),
                Figure(benchmark, f"{at}: p95", MILLISECONDS, _percentile(step.load.samples, 0.95)),
                Figure(
                    benchmark,
                    f"{at}: publishing's CPU",
                    CPU_MILLISECONDS,
                    step.cpu_ms_per_request["publishing"],
                ),
            ]
        figures += [
            Figure(
                benchmark,
                f"CPU per request: {cost.request}, {cost.process}",
                CPU_MILLISECONDS,
                cost.cpu_ms,
            )
            for cost in result.costs
        ]
        if result.fresh:
            figures += [
                Figure(
                    benchmark,
                    f"publish → searchable: p{q}",
                    MILLISECONDS,
                    _percentile(result.fresh, q / 100),
                )
                for q in (50, 95)
            ]
    return figures


def search(results: dict[str, dict[str, Any]]) -> list[Figure]:
    """Each engine's query latency (without facets, as the API answers by default)."""
    from bench.search_bench import WITH_FACETS, _percentile

    figures = []
    for engine, result in results.items():
        if engine.endswith(WITH_FACETS):
            continue
        samples = result["samples"]["all"]
        name = f"{engine} query, {result['docs']:,} docs"
        figures += [
            Figure("search", f"{name}: p{q}", MILLISECONDS, _percentile(samples, q / 100))
            for q in (50, 95)
        ]
        if "cpu" in result["samples"]:
            # The searching thread's CPU: what a busy machine changes least.
            cpu = _percentile(result["samples"]["cpu"], 0.95)
            figures.append(Figure("search", f"{name}: p95 CPU", CPU_MILLISECONDS, cpu))
    return figures
