"""Socket.IO server at namespace ``/realtime/v1`` (filled in by the realtime work)."""

from __future__ import annotations

from fastapi import FastAPI

from brigade.runtime import Runtime


def mount_realtime(app: FastAPI, runtime: Runtime) -> None:
    """Mount the Socket.IO server on ``app`` and subscribe it to ``runtime.bus``."""


async def start_realtime(runtime: Runtime) -> None:
    """Start background work of the realtime server (e.g. the Redis manager)."""


async def stop_realtime(runtime: Runtime) -> None:
    """Stop what :func:`start_realtime` started."""
