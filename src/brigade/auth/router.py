"""HTTP routes of the auth context (thin: parse, authorise, call the service)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["auth"])
