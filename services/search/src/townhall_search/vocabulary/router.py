"""The vocabulary endpoints: communications staff read and replace it, with history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from townhall_contracts.search import VocabularyHistory, VocabularyRead, VocabularyUpdate
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyDep
from . import service
from .store import VocabularyStore


def _store(request: Request) -> VocabularyStore:
    store: VocabularyStore = request.app.state.vocabulary
    return store


VocabularyDep = Annotated[VocabularyStore, Depends(_store)]

router = APIRouter(prefix="/v1/search/vocabulary", tags=["vocabulary"])

_ABOUT = (
    "Groups of equivalent terms (synonyms, acronyms, French and English translations: "
    "`télétravail | remote work`) that every search expands its words with at query "
    "time, and best bets (official posts shown first, marked, for queries holding a "
    "keyword, to readers who may read them). Needs `vocabulary.manage` in `org` "
    "(communicators). Before the first edit, the shipped default (version 0)."
)


@router.get(
    "",
    summary="The current vocabulary and best bets",
    description=_ABOUT,
    response_model=VocabularyRead,
    responses=problem_responses(401, 403, 503),
)
def read(caller: CurrentUser, store: VocabularyDep, policy: PolicyDep) -> VocabularyRead:
    return service.read(store=store, policy=policy, subject=caller.subject)


@router.get(
    "/history",
    summary="Every version of the vocabulary, newest first",
    description=_ABOUT,
    response_model=VocabularyHistory,
    responses=problem_responses(401, 403, 503),
)
def history(caller: CurrentUser, store: VocabularyDep, policy: PolicyDep) -> VocabularyHistory:
    return service.history(store=store, policy=policy, subject=caller.subject)


@router.put(
    "",
    summary="Replace the vocabulary (a new version)",
    description=_ABOUT + " `version` must be the version read: an edit made meanwhile is a 409 "
    "`stale-vocabulary`, never overwritten. Searches use the new version at once, "
    "without reindexing.",
    response_model=VocabularyRead,
    responses=problem_responses(400, 401, 403, 409, 422, 503),
)
def replace(
    caller: CurrentUser, store: VocabularyDep, policy: PolicyDep, body: VocabularyUpdate
) -> VocabularyRead:
    return service.replace(store=store, policy=policy, subject=caller.subject, update=body)
