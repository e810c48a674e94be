"""Verify the audit trail and the tables it explains, in one pass over the trail.

The trail checks its chain and checkpoints (`audit.verify`); each event it walks is also
replayed into the rows the grant, suspension, directory and domain tables must hold,
which `reconcile` compares with the tables. The trail is valid when nothing is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from townhall_policy.audit.checkpoints import Checkpoint
from townhall_policy.audit.keys import AuditKeyring
from townhall_policy.audit.verify import Finding, verify_chain
from townhall_policy.compliance.reconcile import reconcile
from townhall_policy.compliance.replay import ExpectedState

MAX_FINDINGS = 200


@dataclass(frozen=True)
class Verification:
    valid: bool
    events_checked: int
    head_seq: int
    head_hash: str
    keyed_from_seq: int | None
    key_ids: list[str]
    checkpoints_checked: int
    latest_checkpoint: Checkpoint | None
    other_trails: list[str]
    rows_checked: dict[str, int]
    findings: list[Finding]
    findings_total: int


def verify_trail(session: Session, keyring: AuditKeyring, checkpoint_dir: Path) -> Verification:
    """Check the chain, the checkpoints and the tables; report every finding."""
    state = ExpectedState()
    chain = verify_chain(session, keyring, checkpoint_dir, observe=state.apply)
    reconciliation = reconcile(session, state)
    findings = chain.findings + [
        Finding("table", f.problem, seq=f.seq, table=f.table, row=f.row)
        for f in reconciliation.findings
    ]
    return Verification(
        valid=not findings,
        events_checked=chain.events_checked,
        head_seq=chain.head_seq,
        head_hash=chain.head_hash,
        keyed_from_seq=chain.keyed_from_seq,
        key_ids=chain.key_ids,
        checkpoints_checked=chain.checkpoints_checked,
        latest_checkpoint=chain.latest_checkpoint,
        other_trails=chain.other_trails,
        rows_checked=reconciliation.rows_checked,
        findings=findings[:MAX_FINDINGS],
        findings_total=len(findings),
    )
