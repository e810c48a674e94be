"""The outbox holds events for the bus; official posts may carry an acknowledgement due date.

Each outbox row now holds an event type and its data (the `data` of the bus's envelope,
`townhall_contracts.events`): rows written before become `document.upserted` (or
`document.deleted`) events carrying the search document they held. `doc_id` and
`version` stay, filled for document events only, for the export's summary. Posts get
`acknowledge_by`, the date by which readers must acknowledge.

Revision ID: 0008_event_outbox
Revises: 0007_objectives
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_event_outbox"
down_revision: str | None = "0007_objectives"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATA_SQL = {
    "postgresql": (
        "UPDATE outbox SET "
        "type = CASE op WHEN 'delete' THEN 'document.deleted' ELSE 'document.upserted' END, "
        "data = CASE op WHEN 'delete' "
        "THEN json_build_object('doc_id', doc_id, 'version', version) "
        "ELSE json_build_object('doc_id', doc_id, 'version', version, 'document', payload) END"
    ),
    "sqlite": (
        "UPDATE outbox SET "
        "type = CASE op WHEN 'delete' THEN 'document.deleted' ELSE 'document.upserted' END, "
        "data = CASE op WHEN 'delete' "
        "THEN json_object('doc_id', doc_id, 'version', version) "
        "ELSE json_object('doc_id', doc_id, 'version', version, 'document', json(payload)) END"
    ),
}


def _moment(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.add_column("outbox", sa.Column("type", sa.String(64), nullable=True))
    op.add_column("outbox", sa.Column("data", sa.JSON(), nullable=True))
    op.execute(_DATA_SQL[op.get_bind().dialect.name])
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_index("ix_outbox_doc_id", table_name="outbox")
    with op.batch_alter_table("outbox", recreate="always") as batch:
        batch.drop_constraint("ck_outbox_op", type_="check")
        batch.drop_constraint("ck_outbox_version", type_="check")
        batch.drop_column("op")
        batch.drop_column("payload")
        batch.alter_column("type", existing_type=sa.String(64), nullable=False)
        batch.alter_column("data", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("doc_id", existing_type=sa.String(128), nullable=True)
        batch.alter_column("version", existing_type=sa.Integer(), nullable=True)
        batch.create_check_constraint("ck_outbox_version", "version IS NULL OR version >= 1")
    _outbox_indexes()
    op.add_column("posts", _moment("acknowledge_by"))


def _outbox_indexes() -> None:
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        postgresql_where=sa.text("delivered_at IS NULL"),
        sqlite_where=sa.text("delivered_at IS NULL"),
    )
    op.create_index("ix_outbox_doc_id", "outbox", ["doc_id", "version"])


def downgrade() -> None:
    """Back to document rows: events that are not about a search document are dropped."""
    op.drop_column("posts", "acknowledge_by")
    op.execute("DELETE FROM outbox WHERE type NOT IN ('document.upserted', 'document.deleted')")
    op.add_column("outbox", sa.Column("op", sa.String(16), nullable=True))
    op.add_column("outbox", sa.Column("payload", sa.JSON(), nullable=True))
    document = {
        "postgresql": "(data::json) -> 'document'",
        "sqlite": "json_extract(data, '$.document')",
    }[op.get_bind().dialect.name]
    op.execute(
        "UPDATE outbox SET op = CASE type WHEN 'document.deleted' THEN 'delete' ELSE 'upsert' "
        f"END, payload = CASE type WHEN 'document.deleted' THEN NULL ELSE {document} END"
    )
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_index("ix_outbox_doc_id", table_name="outbox")
    with op.batch_alter_table("outbox", recreate="always") as batch:
        batch.drop_constraint("ck_outbox_version", type_="check")
        batch.drop_column("type")
        batch.drop_column("data")
        batch.alter_column("op", existing_type=sa.String(16), nullable=False)
        batch.alter_column("doc_id", existing_type=sa.String(128), nullable=False)
        batch.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch.create_check_constraint("ck_outbox_op", "op IN ('upsert', 'delete')")
        batch.create_check_constraint("ck_outbox_version", "version >= 1")
    _outbox_indexes()
