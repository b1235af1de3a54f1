"""HTTP routes of the tables context (thin: parse, authorise, call the service)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["tables"])
