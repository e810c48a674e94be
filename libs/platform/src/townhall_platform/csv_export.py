"""CSV exports of answers: one flat row model per line, its fields the columns.

A CSV's columns are the fields of its row model, in order: the schema is the one list
of column names. Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from fastapi import Response
from pydantic import BaseModel


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _safe(cell: str) -> str:
    """Spreadsheet formula injection: a leading =, +, - or @ is neutralised."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def csv_response(rows: Iterable[BaseModel], *, schema: type[BaseModel], name: str) -> Response:
    """A CSV attachment: a header line of `schema`'s fields, then one line per row."""
    columns = list(schema.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(_cell(getattr(row, column))) for column in columns])
    return Response(
        content=buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
