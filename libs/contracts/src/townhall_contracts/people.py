"""People of the directory as anyone may look them up: to mention them (`@id`).

Only an id and a display name, and only of active people: the search serves a
type-ahead, not a directory export.
"""

from __future__ import annotations

from pydantic import BaseModel


class Person(BaseModel):
    id: str
    display_name: str


class PersonList(BaseModel):
    people: list[Person]
