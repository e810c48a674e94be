"""Directory import from CSV: every row is checked first, then applied in one transaction.

Columns: `id`, `kind` (user|group, default user), `display_name`, `department`,
`email`, `group_type` (groups), `groups` (users: group ids separated by `;` or `|`;
an empty cell means no group), `active` (true|false, default true), `roles` (the org
roles a user or group holds, separated like groups; with the column present its org roles
are made to match, granted and revoked in the audit trail; `policy_admin` is never
imported). Groups are applied before users, so a file may create a group and its members
together.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from townhall_policy.directory.errors import InvalidImport
from townhall_policy.directory.schemas import SubjectRow
from townhall_policy.directory.service import SubjectRecord, apply_record
from townhall_policy.holdings.directory.models import SubjectKind
from townhall_policy.provisioning.roles import sync_org_roles

REQUIRED_COLUMNS = {"id", "display_name"}
KNOWN_COLUMNS = {
    "id",
    "kind",
    "display_name",
    "department",
    "email",
    "group_type",
    "groups",
    "active",
    "roles",
}
MAX_ERRORS = 50


@dataclass
class ImportOutcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    roles_granted: int = 0
    roles_revoked: int = 0


def _truthy(value: str, *, line: int, errors: list[dict[str, object]]) -> bool:
    lowered = value.strip().lower()
    if lowered in ("", "true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    errors.append({"line": line, "column": "active", "problem": f"not a boolean: {value!r}"})
    return True


def parse_csv(text: str) -> list[SubjectRecord]:
    """Parse and validate every row; `InvalidImport` lists the faulty ones (at most 50)."""
    reader = csv.DictReader(io.StringIO(text))
    _check_header(set(reader.fieldnames or ()))
    records: list[SubjectRecord] = []
    errors: list[dict[str, object]] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        body = _parse_row(line, row, errors)
        if body is None:
            continue
        if body.id in seen:
            errors.append({"line": line, "column": "id", "problem": f"{body.id!r} appears twice"})
            continue
        seen.add(body.id)
        records.append(_record(body))
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise InvalidImport(
            f"{len(errors)} invalid row(s); nothing was imported.", errors=errors[:MAX_ERRORS]
        )
    return records


def _check_header(columns: set[str]) -> None:
    if not columns >= REQUIRED_COLUMNS:
        raise InvalidImport(
            f"The CSV header must name at least {sorted(REQUIRED_COLUMNS)}; got {sorted(columns)}."
        )
    unknown = columns - KNOWN_COLUMNS
    if unknown:
        raise InvalidImport(
            f"Unknown CSV columns {sorted(unknown)}; known: {sorted(KNOWN_COLUMNS)}."
        )


def _parse_row(
    line: int, row: dict[str | Any, Any], errors: list[dict[str, object]]
) -> SubjectRow | None:
    """The row validated, or None with its problems added to `errors`."""
    if None in row:
        errors.append({"line": line, "problem": "more cells than columns"})
        return None
    cells = {k: (v or "").strip() for k, v in row.items()}
    groups_cell = cells.get("groups", "")
    groups = _cell_list(groups_cell)
    active = _truthy(cells.get("active", ""), line=line, errors=errors)
    try:
        return SubjectRow(
            id=cells["id"],
            kind=cells.get("kind") or "user",
            display_name=cells["display_name"],
            department=cells.get("department") or None,
            email=cells.get("email") or None,
            group_type=cells.get("group_type") or None,
            groups=groups if "groups" in cells else None,
            roles=_cell_list(cells["roles"]) if "roles" in cells else None,
            active=active,
        )
    except ValidationError as exc:
        for error in exc.errors():
            column = ".".join(str(p) for p in error["loc"])
            errors.append({"line": line, "column": column, "problem": error["msg"]})
        return None


def _cell_list(cell: str) -> list[str]:
    return [item.strip() for item in cell.replace("|", ";").split(";") if item.strip()]


def _record(body: SubjectRow) -> SubjectRecord:
    return SubjectRecord(
        id=body.id,
        kind=SubjectKind(body.kind),
        display_name=body.display_name,
        department=body.department,
        email=body.email,
        group_type=body.group_type,
        active=body.active,
        groups=tuple(body.groups) if body.groups is not None else None,
        roles=tuple(body.roles) if body.roles is not None else None,
    )


def apply_records(
    session: Session,
    records: Iterable[SubjectRecord],
    *,
    actor: str,
    justification: str,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Apply records, groups first; the caller's transaction makes it all or nothing."""
    ordered = sorted(records, key=lambda r: 0 if r.kind is SubjectKind.GROUP else 1)
    outcome = ImportOutcome(rows=len(ordered))
    for done, record in enumerate(ordered, start=1):
        result = apply_record(session, record, actor=actor, justification=justification)
        if result.created:
            outcome.created += 1
        elif result.changed:
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        if result.activation == "deactivated":
            outcome.deactivated += 1
        elif result.activation == "reactivated":
            outcome.reactivated += 1
        if record.roles is not None:
            synced = sync_org_roles(
                session,
                subject_id=record.id,
                wanted=record.roles,
                actor=actor,
                justification=justification,
            )
            outcome.roles_granted += len(synced.granted)
            outcome.roles_revoked += len(synced.revoked)
        if progress is not None:
            progress(done)
    return outcome
