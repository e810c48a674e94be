"""Verify the audit trail and the tables it explains, in one pass over the trail.

The trail checks its chain and checkpoints (`audit.verify`); each event it walks is also
replayed into the rows the grant, suspension, directory and domain tables must hold,
which `reconcile` compares with the tables. The trail is valid when nothing is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from townhall_policy.audit.keys import AuditKeyring
from townhall_policy.audit.verify import ChainCheck, Finding, verify_chain
from townhall_policy.compliance.reconcile import reconcile
from townhall_policy.compliance.replay import ExpectedState

MAX_FINDINGS = 200


@dataclass(frozen=True)
class Verification:
    """The chain's check, the tables' reconciliation, and their findings together (the
    first `MAX_FINDINGS` of them; `findings_total` counts them all)."""

    chain: ChainCheck
    rows_checked: dict[str, int]
    findings: list[Finding]
    findings_total: int

    @property
    def valid(self) -> bool:
        return self.findings_total == 0

    @property
    def events_checked(self) -> int:
        return self.chain.events_checked


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
        chain=chain,
        rows_checked=reconciliation.rows_checked,
        findings=findings[:MAX_FINDINGS],
        findings_total=len(findings),
    )
