"""What the domain endpoints answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DomainRead(BaseModel):
    """A registered domain and the class its role permissions are looked up in."""

    id: str
    kind: str
    visibility: str | None
    domain_class: str
    created_at: datetime
    updated_at: datetime
