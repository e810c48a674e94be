"""Constrained text shared by several requests."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# The same shape policy accepts in a `space:<id>` domain.
SPACE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"

SpaceId = Annotated[str, StringConstraints(pattern=SPACE_ID_PATTERN)]
Authority = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
