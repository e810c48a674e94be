"""Compare the grant, suspension, directory and domain tables with what the trail says.

A row the trail does not explain (a grant inserted by hand), a row the trail created
that is gone (a suspension deleted by hand) and a column that differs (a directory row
edited) are each reported with the table, the row and the event concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Table, select
from sqlmodel import Session, SQLModel

from townhall_policy.compliance.replay import Expected, ExpectedState, Period
from townhall_policy.domains.models import Domain
from townhall_policy.holdings.directory.models import DirectoryPeriod, GroupMembership, Subject
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.timestamps import as_utc

# A row's own timestamp is taken just before its event's, in the same transaction (a
# wait for the chain's lock may sit between them): it must fall within this much before.
RECORDING_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class TableFinding:
    table: str
    row: str
    problem: str
    seq: int | None = None


@dataclass(frozen=True)
class Reconciliation:
    findings: list[TableFinding]
    rows_checked: dict[str, int]


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return repr(value)


def _normal(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value


def _compare_rows(
    table: str,
    noun: str,
    expected: dict[str, Expected],
    actual: dict[str, Any],
    describe: Any,
    created_by: str,
) -> list[TableFinding]:
    findings: list[TableFinding] = []
    for row_id, want in expected.items():
        row = actual.get(row_id)
        if row is None:
            findings.append(
                TableFinding(
                    table,
                    row_id,
                    f"{noun} {row_id} is in the trail (event {want.seq}) but missing from "
                    f"the {table} table: deleted by hand",
                    want.seq,
                )
            )
            continue
        for column, value in want.values.items():
            have = getattr(row, column)
            if _normal(have) != _normal(value):
                findings.append(
                    TableFinding(
                        table,
                        row_id,
                        f"{noun} {row_id}: {column} is {_show(have)} in the table but "
                        f"{_show(value)} in the trail (event {want.seq}): changed by hand",
                        want.seq,
                    )
                )
        for column, at in want.instants.items():
            have = getattr(row, column)
            if have is None or not (at - RECORDING_SLACK <= as_utc(have) <= at):
                findings.append(
                    TableFinding(
                        table,
                        row_id,
                        f"{noun} {row_id}: {column} is {_show(have)} in the table but the "
                        f"trail recorded it at {_show(at)} (event {want.seq}): changed by hand",
                        want.seq,
                    )
                )
    for row_id, row in actual.items():
        if row_id not in expected:
            findings.append(
                TableFinding(
                    table,
                    row_id,
                    f"{noun} {row_id} ({describe(row)}) has no {created_by} event in the "
                    "trail: inserted by hand",
                )
            )
    return findings


def _compare_periods(
    expected: dict[tuple[str, str, str | None], list[Period]],
    rows: Sequence[Row[Any]],
) -> list[TableFinding]:
    actual: dict[tuple[str, str, str | None], list[Row[Any]]] = {}
    for row in rows:
        actual.setdefault((row.kind, row.subject_id, row.group_id), []).append(row)
    findings: list[TableFinding] = []
    for key in sorted(set(expected) | set(actual), key=lambda k: (k[0], k[1], k[2] or "")):
        kind, subject, group = key
        name = f"{kind} of {subject}" + (f" in {group}" if group else "")
        want = expected.get(key, [])
        have = sorted(actual.get(key, []), key=lambda r: as_utc(r.valid_from))
        if len(want) != len(have):
            findings.append(
                TableFinding(
                    "directory_periods",
                    name,
                    f"{len(have)} {kind} period(s) of {subject}"
                    + (f" in {group}" if group else "")
                    + f" in the table, {len(want)} in the trail: history changed by hand",
                    want[-1].opened_seq if want else None,
                )
            )
            continue
        for period, row in zip(want, have, strict=True):
            for label, at, seq, value in (
                ("from", period.opened, period.opened_seq, row.valid_from),
                ("to", period.closed, period.closed_seq, row.valid_to),
            ):
                if at is None and value is None:
                    continue
                if at is None or value is None or not (at - RECORDING_SLACK <= as_utc(value) <= at):
                    findings.append(
                        TableFinding(
                            "directory_periods",
                            name,
                            f"the {name} period runs {label} {_show(value)} in the table but "
                            f"{_show(at)} in the trail"
                            + (f" (event {seq})" if seq else "")
                            + ": history changed by hand",
                            seq,
                        )
                    )
    return findings


def _rows(session: Session, model: type[SQLModel]) -> Sequence[Row[Any]]:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return session.execute(select(table)).all()


def reconcile(session: Session, state: ExpectedState) -> Reconciliation:
    """Every difference between the tables and the replayed trail."""
    # Plain rows, not mapped objects: a long trail explains many rows.
    grants = {g.id: g for g in _rows(session, Grant)}
    suspensions = {s.id: s for s in _rows(session, Suspension)}
    subjects = {s.id: s for s in _rows(session, Subject)}
    domains = {d.id: d for d in _rows(session, Domain)}
    memberships = {(m.group_id, m.member_id): m for m in _rows(session, GroupMembership)}
    periods = _rows(session, DirectoryPeriod)

    findings = [
        TableFinding("audit_events", str(seq), f"event {seq} cannot be replayed: {why}", seq)
        for seq, why in state.unreadable
    ]
    findings += _compare_rows(
        "grants",
        "grant",
        state.grants,
        grants,
        lambda g: f"{g.subject_id} holds {g.role} in {g.domain}",
        "grant.created",
    )
    findings += _compare_rows(
        "suspensions",
        "suspension",
        state.suspensions,
        suspensions,
        lambda s: f"{s.subject_id} suspended from {s.action or 'everything'} in {s.domain}",
        "suspension.created",
    )
    findings += _compare_rows(
        "subjects",
        "subject",
        state.subjects,
        subjects,
        lambda s: f"{s.kind} {s.display_name!r}",
        "subject.created",
    )
    findings += _compare_rows(
        "domains",
        "domain",
        state.domains,
        domains,
        lambda d: f"{d.kind} {d.visibility or ''}".strip(),
        "domain.registered",
    )
    findings += _compare_memberships(state.memberships, memberships)
    findings += _compare_periods(state.periods, periods)
    return Reconciliation(
        findings=findings,
        rows_checked={
            "grants": len(grants),
            "suspensions": len(suspensions),
            "subjects": len(subjects),
            "group_memberships": len(memberships),
            "directory_periods": len(periods),
            "domains": len(domains),
        },
    )


def _compare_memberships(
    expected: dict[tuple[str, str], int], actual: dict[tuple[str, str], Any]
) -> list[TableFinding]:
    findings: list[TableFinding] = []
    for group, member in sorted(set(expected) - set(actual)):
        seq = expected[(group, member)]
        findings.append(
            TableFinding(
                "group_memberships",
                f"{member} in {group}",
                f"{member} is a member of {group} by the trail (event {seq}) but not in the "
                "group_memberships table: deleted by hand",
                seq,
            )
        )
    for group, member in sorted(set(actual) - set(expected)):
        findings.append(
            TableFinding(
                "group_memberships",
                f"{member} in {group}",
                f"{member} is a member of {group} in the table but no membership.added event "
                "in the trail explains it: inserted by hand",
            )
        )
    return findings
