"""Errors of moderation."""

from __future__ import annotations

from townhall_platform.errors import NotFound


class ReportNotFound(NotFound):
    type_slug = "report-not-found"
    title = "Report not found"
