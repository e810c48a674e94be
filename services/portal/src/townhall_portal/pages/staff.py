"""Pages for communications staff, spokespeople, moderators, compliance and policy admins."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["staff"])
