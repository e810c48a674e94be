"""Request fields several packages take: a justification, a subject id, a domain id."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from townhall_contracts.policy import DOMAIN_PATTERN

JUSTIFICATION_MIN = 3
JUSTIFICATION_MAX = 1000


def _stripped(value: str) -> str:
    value = value.strip()
    if len(value) < JUSTIFICATION_MIN:
        raise ValueError(f"justification must have at least {JUSTIFICATION_MIN} characters")
    return value


Justification = Annotated[
    str,
    Field(min_length=JUSTIFICATION_MIN, max_length=JUSTIFICATION_MAX),
    AfterValidator(_stripped),
]
SubjectId = Annotated[str, Field(min_length=1, max_length=128)]
DomainId = Annotated[str, Field(pattern=DOMAIN_PATTERN)]
