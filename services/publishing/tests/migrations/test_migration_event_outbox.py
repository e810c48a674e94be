"""Migration 0008_event_outbox: document rows written before become document events."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from townhall_platform.db import normalize_url
from townhall_publishing.cli import MIGRATIONS

DOCUMENT = {"id": "p-old", "title": "Avant le bus", "readers": ["org"]}


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_old_outbox_rows_become_document_events_and_back(database_url: str) -> None:
    config = _config(database_url)
    command.upgrade(config, "0007_objectives")
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO outbox (doc_id, version, op, payload, created_at, attempts) "
                    "VALUES ('p-old', 3, 'upsert', :doc, CURRENT_TIMESTAMP, 0), "
                    "('p-gone', 4, 'delete', NULL, CURRENT_TIMESTAMP, 0)"
                ),
                {"doc": json.dumps(DOCUMENT)},
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type, data, doc_id, version FROM outbox ORDER BY id")
            ).all()
        assert [(row.type, row.doc_id, row.version) for row in rows] == [
            ("document.upserted", "p-old", 3),
            ("document.deleted", "p-gone", 4),
        ]
        assert _decoded(rows[0].data) == {"doc_id": "p-old", "version": 3, "document": DOCUMENT}
        assert _decoded(rows[1].data) == {"doc_id": "p-gone", "version": 4}

        command.downgrade(config, "0007_objectives")
        with engine.connect() as connection:
            back = connection.execute(text("SELECT op, payload FROM outbox ORDER BY id")).all()
        assert [row.op for row in back] == ["upsert", "delete"]
        assert _decoded(back[0].payload) == DOCUMENT
    finally:
        engine.dispose()
