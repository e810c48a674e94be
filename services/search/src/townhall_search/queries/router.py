"""The public search endpoints: search and type-ahead suggestions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, status

from townhall_contracts.search import SearchResults
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_platform.params import Instant

from ..deps import IndexDep, PolicyDep, SettingsDep
from ..index import FACET_FIELDS, SortOrder
from ..vocabulary import service as vocabulary_service
from ..vocabulary.router import VocabularyDep
from . import service
from .deps import CursorsDep
from .errors import UnknownFacet
from .log import SEARCH_ID_PATTERN, SearchLogDep
from .schemas import Suggestions

router = APIRouter(prefix="/v1", tags=["search"])

MAX_QUERY_CHARS = 1000
MAX_SUGGEST_CHARS = 200


@router.get(
    "/search",
    summary="Search what the caller may read",
    description=(
        "Free text over titles and bodies. Each document is analyzed in its own language "
        "(French or English, detected), the query in both: accents optional, plurals and "
        "conjugations found, `l'`/`d'`/`qu'` elided. `\"phrases\"` match words in order, "
        "`+word` must and `-word` must not match, a word of 5+ letters tolerates one typo "
        "(two from 9 letters; the first four such words of a query), and the last word, "
        "while typed, matches as a prefix. More than 64 different words: 400 "
        "`query-too-complex`. An "
        "empty `q` lists the newest readable documents. Filters: `kind`, `space`, "
        "`author`, `from`/`to` (creation date, inclusive). Results are filtered by the "
        "caller's principals inside the query, so `total`, `facets` and `highlights` only "
        "ever reflect readable documents. Facets are counted on request: `facets` names "
        "them, comma-separated, among `kind`, `space_id`, `author_id` and `month` (as "
        "OpenSearch aggregations are asked for); the answer's `facets` holds those only. "
        "Highlights are HTML-escaped with matches in `<b>`. `sort=relevance` (default) "
        "ranks by a score summing constants per matched word (title 2, body 1, half for "
        "a typo; a synonym or translation from the vocabulary 0.9 of that; each word "
        "weighed by how common it is in everyday language, `comment` or `how` less than "
        "`mutuelle`), computed from the document alone, plus 1.5 for official posts and 0.5 "
        "for documents created in the last 30 days, then newest first; `sort=date` lists "
        "newest first. Nothing in the answer depends on documents the caller cannot read. "
        "Pass "
        "`next_cursor` back as `cursor`, with the same query, for the next page: later "
        "pages read the index as it was at the first page, so new posts do not shift them."
    ),
    response_model=SearchResults,
    responses=problem_responses(400, 401, 403, 422, 503),
)
def search(
    caller: CurrentUser,
    index: IndexDep,
    policy: PolicyDep,
    cursors: CursorsDep,
    settings: SettingsDep,
    vocabulary: VocabularyDep,
    search_log: SearchLogDep,
    background: BackgroundTasks,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Free text")] = "",
    kind: Annotated[Literal["social", "official"] | None, Query()] = None,
    space: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    author: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    created_from: Annotated[
        Instant | None,
        Query(alias="from", description="Created at or after (ISO 8601; UTC if no offset)"),
    ] = None,
    created_to: Annotated[
        Instant | None,
        Query(alias="to", description="Created at or before (ISO 8601; UTC if no offset)"),
    ] = None,
    sort: Annotated[SortOrder, Query(description="`relevance` or `date`")] = SortOrder.RELEVANCE,
    cursor: Annotated[str | None, Query(max_length=512, description="From `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    facets: Annotated[
        str,
        Query(
            max_length=100,
            description="Facets to count, comma-separated: kind, space_id, author_id, month",
        ),
    ] = "",
) -> SearchResults:
    results = service.search(
        index=index,
        policy=policy,
        cursors=cursors,
        request=service.SearchRequest(
            subject=caller.subject,
            text=q,
            kind=kind,
            space_id=space,
            author_id=author,
            created_from=created_from,
            created_to=created_to,
            sort=sort,
            cursor=cursor,
            limit=limit,
            facets=_facet_names(facets),
        ),
        max_result_window=settings.max_result_window,
        vocabulary=vocabulary_service.current(vocabulary),
    )
    if search_log.enabled and cursor is None and q.strip():
        results.search_id = search_log.new_id()
        background.add_task(search_log.searched(results.search_id, q, results.total))
    return results


@router.post(
    "/searches/{search_id}/opened",
    summary="Report that a result of a search was opened (for the search-success indicator)",
    description=(
        "`search_id` is the one a first page answered. The report names no user: it only "
        "marks that search as followed by an opening. Accepted at once and passed on in "
        "the background; an unknown or expired id is dropped there."
    ),
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 422),
)
def search_opened(
    caller: CurrentUser,
    search_log: SearchLogDep,
    background: BackgroundTasks,
    search_id: Annotated[str, Path(pattern=SEARCH_ID_PATTERN)],
) -> None:
    background.add_task(search_log.opened(search_id))


def _facet_names(raw: str) -> tuple[str, ...]:
    """The asked-for facets, each once, in the order of `FACET_FIELDS`."""
    names = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = sorted(names - set(FACET_FIELDS))
    if unknown:
        raise UnknownFacet(
            f"Unknown facet {', '.join(map(repr, unknown))}; "
            f"ask for some of {', '.join(FACET_FIELDS)}."
        )
    return tuple(name for name in FACET_FIELDS if name in names)


@router.get(
    "/search/suggestions",
    summary="Type-ahead: readable titles completing the typed text",
    description=(
        "The last word of `q` is a prefix, the words before it are whole words (accents "
        "and case ignored). Only documents the caller may read are suggested, newest "
        "first, one per distinct title."
    ),
    response_model=Suggestions,
    responses=problem_responses(401, 403, 422, 503),
)
def suggestions(
    caller: CurrentUser,
    index: IndexDep,
    policy: PolicyDep,
    q: Annotated[str, Query(max_length=MAX_SUGGEST_CHARS, description="Typed text")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Suggestions:
    return service.suggest(index=index, policy=policy, subject=caller.subject, text=q, limit=limit)
