"""Exports of answers: JSON (the response model) or CSV (one flat row model per line).

The CSV writer is shared with the other services (`townhall_platform.csv_export`).
"""

from __future__ import annotations

from enum import StrEnum

from townhall_platform.csv_export import csv_response


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


__all__ = ["ExportFormat", "csv_response"]
