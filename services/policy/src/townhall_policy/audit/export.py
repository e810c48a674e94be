"""Exports of audit answers: JSON (the response model) or CSV (one flat row per line)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from fastapi import Response


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(_cell(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def csv_response(rows: Iterable[Mapping[str, Any]], *, columns: list[str], name: str) -> Response:
    """A CSV attachment with a header line; cells that look like formulas are quoted safely."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            cell = _cell(row.get(column))
            # Spreadsheet formula injection: a leading =, +, - or @ is neutralised.
            if cell[:1] in ("=", "+", "-", "@"):
                cell = "'" + cell
            cells.append(cell)
        writer.writerow(cells)
    return Response(
        content=buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
