"""What the indicators are computed from, and for how long it is kept: said plainly, for
employees, compliance officers and works councils (`GET /v1/metrics/collection`)."""

from __future__ import annotations

from townhall_contracts.publishing.objectives import Collected

COLLECTED: tuple[Collected, ...] = (
    Collected(
        what="Acknowledgements of mandatory notices (who, which notice, when)",
        why="Knowing that the company's official voice reached each person it must reach",
        kept="As long as the notice",
        names_a_person=True,
        shown_per_person=True,
    ),
    Collected(
        what="First opening of an official post (who, which post, when)",
        why="Official reach: the share of an audience that opened a post",
        kept="As long as the post",
        names_a_person=True,
        shown_per_person=False,
    ),
    Collected(
        what="Posts, comments and reactions (their author and time, as published)",
        why="Participation, questions answered, cross-silo exchange",
        kept="As long as the content",
        names_a_person=True,
        shown_per_person=False,
    ),
    Collected(
        what="Reports to moderators and their handling",
        why="Moderation load and time to handle a report",
        kept="As long as the reported content",
        names_a_person=True,
        shown_per_person=False,
    ),
    Collected(
        what=(
            "Search queries: the words (in lower case), how many results, whether a result "
            "was opened; never who searched"
        ),
        why=(
            "Search success: the share of searches followed by opening a result, and the "
            "queries that find nothing (shown only when asked at least 5 times)"
        ),
        kept="{days} days, then deleted by the daily rollup",
        names_a_person=False,
        shown_per_person=False,
    ),
    Collected(
        what="Objectives, their edits and their daily values",
        why="Following each objective against its target",
        kept="As long as the objective",
        names_a_person=False,
        shown_per_person=False,
    ),
)


def collected(*, search_retention_days: int) -> list[Collected]:
    """What is collected, with the retention periods as configured."""
    return [
        c.model_copy(update={"kept": c.kept.format(days=search_retention_days)}) for c in COLLECTED
    ]
